/**
 * Creates that are idempotent by the provider's own key: when a sync matches on a natural key that is an
 * External ID field of the Salesforce object it creates, its creates go through sObject Collections upsert on
 * that field (`batch_upsert_*`, PATCH `/composite/sobjects/{object}/{field}`): a batch sent again after a
 * crash updates the records the first one created. Whether the field is one is read from the org's describe,
 * once per run.
 */
import { isExternalIdField } from "../../providers/salesforce/lookup.ts";
import type { ConnectionRow } from "../../store/index.ts";
import type { ActionDeps } from "../actions/run-action.ts";
import { withConnectionHttp } from "../connections/connection-http.ts";
import { findProvider } from "../platform.ts";
import { batchActionFor } from "./batch-calls.ts";
import { SALESFORCE_OBJECTS } from "./created-lookup.ts";

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
  if (connection.provider !== "salesforce") return undefined;
  const object = SALESFORCE_OBJECTS[create]?.object;
  const upsert = create.replace(/^create_/, "upsert_");
  const actions = findProvider(deps.providers, connection.provider).actions ?? [];
  if (!object || !batchActionFor(actions, upsert)) return undefined;
  const keyed = await withConnectionHttp(deps, connection, (http) => isExternalIdField(http, object, field));
  return keyed ? upsert : undefined;
}
