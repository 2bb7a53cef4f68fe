/**
 * What a source and an embedded sync are, as their API bodies take them (zod at the boundary). A source holds
 * the product's own records, pushed through the API (`kind: "api"`) or read from a table or read-only query
 * of the product's Postgres (`kind: "postgres"`). An embedded sync sends a source's records into a unified
 * model of every connection of the environment, with per-connection field mappings on top.
 */
import { z } from "zod";
import { type FieldMap, fieldMap, syncInput, syncModes } from "../reverse-etl/definitions.ts";

/** Records and deletes one push takes at most; a bigger batch is refused (split it). */
export const MAX_PUSH = 1_000;

const sourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be lower-case letters, digits, _ or -, up to 63 characters")
  .describe("Unique in the environment; the URL names the source by it.");
const primaryKey = z
  .string()
  .min(1)
  .max(200)
  .describe("The field (a dotted path for a nested one) that identifies a record.");

export const apiSourceInput = z.strictObject({
  name: sourceName,
  kind: z.literal("api").describe("Records are pushed with PUT /v1/sources/{name}/records."),
  primary_key: primaryKey,
});

export const postgresSourceInput = z.strictObject({
  name: sourceName,
  kind: z.literal("postgres").describe("Records are read from the product's Postgres before each run."),
  primary_key: primaryKey,
  connection_string: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
    .max(2_000)
    .describe("Sealed by the vault when saved; never answered back."),
  table: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, "must be a table name (schema.table)")
    .optional()
    .describe("The table read whole; or give `query`."),
  query: z
    .string()
    .min(1)
    .max(100_000)
    .optional()
    .describe("One SELECT, run in a read-only transaction; or give `table`."),
});

export const sourceInput = z
  .discriminatedUnion("kind", [apiSourceInput, postgresSourceInput])
  .superRefine((input, ctx) => {
    if (input.kind === "postgres" && (input.table === undefined) === (input.query === undefined))
      ctx.addIssue({ code: "custom", path: ["table"], message: "give exactly one of `table` and `query`" });
  });
export type SourceInput = z.infer<typeof sourceInput>;

const recordKey = z.union([z.string().min(1).max(1_000), z.number()]);

export const pushInput = z
  .strictObject({
    records: z
      .array(z.record(z.string(), z.unknown()))
      .max(MAX_PUSH, `at most ${MAX_PUSH} records per request; send the rest in more requests`)
      .default([])
      .describe("Records to create or replace, by primary key. A record sent again unchanged is no change."),
    deletes: z
      .array(recordKey)
      .max(MAX_PUSH, `at most ${MAX_PUSH} deletes per request; send the rest in more requests`)
      .default([])
      .describe("Primary keys of records to delete; an unknown key is no change."),
  })
  .describe("One batch: records upserted, then keys deleted.");
export type PushInput = z.infer<typeof pushInput>;

export const unifiedModels = ["Contact", "Account", "Opportunity"] as const;

export const embeddedSyncInput = z.strictObject({
  source: z.string().min(1).max(200).describe("The source, by name or id."),
  model: z.enum(unifiedModels).describe("The unified model written in every connection's app."),
  mode: z
    .enum(syncModes)
    .default("upsert")
    .describe(
      "As reverse ETL's: upsert, update (only), insert (only), or mirror (also deletes what left the source, where the provider's writer can).",
    ),
  mapping: z
    .array(fieldMap)
    .min(1)
    .max(200)
    .describe("A record's field (`column`, a dotted path) into a model field by dotted path."),
  filter: z
    .strictObject({
      end_user_ids: z.array(z.string().min(1)).max(1_000).optional(),
      providers: z.array(z.string().min(1)).max(100).optional(),
    })
    .default({})
    .describe("Only the connections of these end users and/or providers; every connection when empty."),
  connection_mappings: z
    .record(z.string().min(1), z.array(fieldMap).max(200))
    .default({})
    .describe(
      "Per connection id: mappings on top of `mapping` (one for a field already mapped replaces it).",
    ),
  // As a reverse-ETL sync's schedule; a push also runs the sync, debounced.
  frequency: syncInput.shape.frequency,
  time_zone: syncInput.shape.time_zone,
});
export type EmbeddedSyncInput = z.infer<typeof embeddedSyncInput>;
/** The mapping one connection gets: the sync's, with the connection's own on top (same field: replaced). */
export function mappingFor(
  base: readonly FieldMap[],
  overrides: readonly FieldMap[] | undefined,
): FieldMap[] {
  if (!overrides || overrides.length === 0) return [...base];
  const byField = new Set(overrides.map((map) => map.field));
  return [...base.filter((map) => !byField.has(map.field)), ...overrides];
}
