/**
 * Creates that are idempotent by the provider's own key: when a sync matches on a natural key the provider
 * upserts on (its definition's `createdRecords.upsertActionFor`: a Salesforce External ID field), its creates
 * go through that upsert batch action, so a batch sent again after a crash updates the records the first one
 * created. Asked once per run.
 */
import type { ConnectionRow } from "../../store/index.ts";
import type { ActionDeps } from "../actions/run-action.ts";
import { withConnectionHttp } from "../connections/connection-http.ts";
import { findProvider } from "../platform.ts";
import { batchActionFor } from "./batch-calls.ts";

/**
 * The action that upserts `create`'s records on `field` (its calls' input: `{ by: field, record }`), or
 * undefined when the provider has none or `field` is not a key it upserts on.
 */
export async function upsertActionFor(
  deps: ActionDeps,
  connection: ConnectionRow,
  create: string,
  field: string,
): Promise<string | undefined> {
  const provider = findProvider(deps.providers, connection.provider);
  const upsertFor = provider.createdRecords?.upsertActionFor;
  if (!upsertFor) return undefined;
  const upsert = await withConnectionHttp(deps, connection, (http) => upsertFor(http, create, field));
  return upsert && batchActionFor(provider.actions ?? [], upsert) ? upsert : undefined;
}
