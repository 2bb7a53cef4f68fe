/** How a connection looks in the API, and the shapes of connection input. Credentials never appear here. */
import { z } from "zod";
import type { ConnectionConfig } from "../../app/connections/connections.ts";
import { CONNECTION_STATUSES } from "../../app/connections/status.ts";
import type { ConnectionRow } from "../../store/index.ts";
import { errorSummary, plainText, timestamp } from "../schemas.ts";

export const connectionStatus = z.enum(CONNECTION_STATUSES);

export const endUserSchema = z
  .strictObject({
    id: plainText(1, 255).describe("Your identifier of the customer (tenant) who owns the account."),
    email: z.email().max(320).nullable().optional(),
    organization: plainText(1, 255).nullable().optional().describe("The customer's organisation name."),
  })
  .meta({ id: "EndUser" });

export const tagSchema = plainText(1, 64).regex(/^[^\s,]+$/, "Tags cannot contain spaces or commas.");

export const tagsSchema = z.array(tagSchema).max(20).describe("Labels to filter connections by.");

/** Any JSON value. Registered (not `.meta`-cloned) so that its recursion is one named component. */
export const jsonValue = z.json();
z.globalRegistry.add(jsonValue, { id: "JsonValue", description: "Any JSON value." });

/** Free-form JSON object of the product's own data, at most 8 KiB as JSON. */
export const metadataSchema = z
  .record(z.string().max(100), jsonValue)
  .refine((value) => JSON.stringify(value).length <= 8_192, "Metadata must be at most 8 KiB as JSON.")
  .describe("Your own data about the connection (JSON object, at most 8 KiB).");

export const connectionConfigInput = z
  .strictObject({
    base_url: z
      .url({ protocol: /^https?$/ })
      .max(2_000)
      .optional()
      .describe("Overrides the provider's base URL (sandboxes, emulators)."),
  })
  .meta({ id: "ConnectionConfig" });

export const connectionSchema = z
  .object({
    id: z.string(),
    provider: z.string(),
    status: connectionStatus,
    end_user: z.object({
      id: z.string().nullable(),
      email: z.string().nullable(),
      organization: z.string().nullable(),
    }),
    tags: z.array(z.string()),
    metadata: z.record(z.string(), jsonValue),
    config: z.object({ base_url: z.string().optional() }),
    last_error: errorSummary.nullable().describe("The last problem seen with this connection, if any."),
    last_checked_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Connection" });

export type ConnectionView = z.input<typeof connectionSchema>;

/** API config (`base_url`) as stored config (`baseUrl`). */
export function toStoredConfig(config: z.output<typeof connectionConfigInput>): ConnectionConfig {
  return config.base_url ? { baseUrl: config.base_url } : {};
}

/** A stored base URL as shown: a user:password stored before such URLs were refused is left out. */
function withoutUserinfo(baseUrl: string): string {
  const url = URL.parse(baseUrl);
  if (!url || (url.username === "" && url.password === "")) return baseUrl;
  url.username = "";
  url.password = "";
  return url.href;
}

/** The API view of a connection row and its tags. */
export function connectionView(row: ConnectionRow, tags: string[]): ConnectionView {
  const config = JSON.parse(row.config) as ConnectionConfig;
  return {
    id: row.id,
    provider: row.provider,
    status: row.status as ConnectionView["status"],
    end_user: { id: row.end_user_id, email: row.end_user_email, organization: row.end_user_organization },
    tags,
    metadata: JSON.parse(row.metadata) as ConnectionView["metadata"],
    config: config.baseUrl ? { base_url: withoutUserinfo(config.baseUrl) } : {},
    last_error: row.last_error ? (JSON.parse(row.last_error) as ConnectionView["last_error"]) : null,
    last_checked_at: row.last_checked_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
