/**
 * What a reverse-ETL model and sync are, as their API bodies and stored JSON take them (zod at the boundary).
 * A model is a SQL query on the warehouse with a primary-key column; a sync sends a model's rows into one
 * object of a connection, as a provider's own create/update(/delete) actions or as a unified Common Model.
 */
import { z } from "zod";

export const modelInput = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be lower-case letters, digits, _ or -, up to 63 characters")
    .describe("Unique in the environment."),
  sql: z.string().min(1).max(100_000).describe("One SELECT on the warehouse."),
  primary_key: z.string().min(1).max(200).describe("The column that identifies a row of the model."),
});
export type ModelInput = z.infer<typeof modelInput>;

/** A provider's own object, written through its typed actions. */
export const actionTarget = z.strictObject({
  type: z.literal("actions"),
  create: z.string().min(1).describe("The action that creates a record (`create_contact`)."),
  update: z.string().min(1).describe("The action that updates a record (`update_contact`)."),
  delete: z
    .string()
    .min(1)
    .optional()
    .describe("The action that deletes or archives a record; mirror mode needs one."),
  id_field: z
    .string()
    .min(1)
    .default("id")
    .describe("The input field of update (and delete) that takes the record's id."),
  id_from: z
    .string()
    .min(1)
    .default("id")
    .describe("Where the create's output holds the new record's id (a dotted path)."),
});

/** A unified Common Model, written through the connection's provider's unified writer. */
export const unifiedTarget = z.strictObject({
  type: z.literal("unified"),
  model: z.enum(["Contact", "Account", "Opportunity"]),
});

export const syncTarget = z.discriminatedUnion("type", [actionTarget, unifiedTarget]);
export type SyncTarget = z.infer<typeof syncTarget>;

export const syncModes = ["upsert", "update", "insert", "mirror"] as const;
export type SyncMode = (typeof syncModes)[number];

/**
 * How a model row finds its record at the provider when the sync has not linked it yet: `external_id` (a
 * column holds the provider's id), or `natural_key` (a column's value equals a field of the records the
 * connection's syncs cached, e.g. the email). Rows the sync created are always found through its links.
 */
export const syncMatch = z.discriminatedUnion("by", [
  z.strictObject({ by: z.literal("link") }),
  z.strictObject({ by: z.literal("external_id"), column: z.string().min(1) }),
  z.strictObject({
    by: z.literal("natural_key"),
    column: z.string().min(1),
    stream: z
      .string()
      .min(1)
      .optional()
      .describe("The cached stream to look in (unified targets: the writer's)."),
    field: z.string().min(1).describe("The cached record's field (`email`)."),
  }),
]);
export type SyncMatch = z.infer<typeof syncMatch>;

/** One column sent into one field of the target: a dotted path (`properties.email`, `email_addresses.0.email_address`). */
export const fieldMap = z.strictObject({
  column: z.string().min(1),
  field: z
    .string()
    .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, "must be a field name or a dotted path (properties.email)"),
});
export type FieldMap = z.infer<typeof fieldMap>;

export const syncInput = z.strictObject({
  model_id: z.string().min(1),
  connection_id: z.string().min(1),
  target: syncTarget,
  mode: z.enum(syncModes).default("upsert"),
  match: syncMatch.default({ by: "link" }),
  mapping: z.array(fieldMap).min(1).max(500),
  frequency: z
    .string()
    .min(1)
    .max(200)
    .nullable()
    .default(null)
    .describe(
      "How often the scheduler runs it, as syncs take it (`15m`, `1h`, `0 6 * * *`); null: only when asked.",
    ),
  time_zone: z
    .string()
    .min(1)
    .max(100)
    .nullable()
    .default(null)
    .describe("The IANA zone a cron frequency is read in (default UTC)."),
});
export type SyncInput = z.infer<typeof syncInput>;
