/**
 * What a provider declares so that reverse ETL never makes a record twice (docs/reverse-etl.md, "Creates sent
 * twice"): how to look up, at the provider, records that creates whose answer was lost may have made, and
 * which of its creates can be sent as upserts on a key instead. The reverse-ETL run calls these through the
 * provider's definition, naming no provider itself.
 */
import type { HttpClient } from "./types.ts";

/** One create to check: the provider action and input that were sent. */
export interface SentCreate {
  action: string;
  input: Record<string, unknown>;
}

/** What the provider holds for one sent create: its record, none, several (ambiguous), or no way to tell. */
export type CreateCheck =
  | { found: string }
  | { absent: true }
  | { ambiguous: string[]; key: string }
  | { unchecked: string };

export interface CreatedRecordChecks {
  /**
   * Looks the creates up at the provider, one answer per create in order. `keyField` is the sync's
   * natural-key field, to be used when the create sets it.
   */
  check(http: HttpClient, creates: readonly SentCreate[], keyField?: string): Promise<CreateCheck[]>;
  /**
   * The action that upserts `create`'s records on `field` (its input: `{ by: field, record }`), or undefined
   * when `field` is not a key the provider upserts on.
   */
  upsertActionFor?(http: HttpClient, create: string, field: string): Promise<string | undefined>;
}
