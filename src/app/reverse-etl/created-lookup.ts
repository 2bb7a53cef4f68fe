/**
 * Whether creates that were in flight when a run died happened: each create call (the provider action and
 * its input, as it was built to be sent) is looked up at the provider through the checks its definition
 * declares (`createdRecords`, core/created-records.ts: Salesforce's SOQL, Pipedrive's exact search), so a
 * resumed run links the record it finds instead of creating a second one. A provider that declares none
 * (its creates are upserts, or it cannot tell) answers every create absent.
 */
import type { CreateCheck, ProviderDefinition, SentCreate } from "../../core/index.ts";
import type { ConnectionRow } from "../../store/index.ts";
import type { ActionDeps } from "../actions/run-action.ts";
import { withConnectionHttp } from "../connections/connection-http.ts";
import { findProvider } from "../platform.ts";

/** Whether the provider can look its sent creates up. */
export function checksCreates(providers: Record<string, ProviderDefinition>, provider: string): boolean {
  return findProvider(providers, provider).createdRecords !== undefined;
}

/**
 * Looks the creates up at the provider, one answer per create in order. `keyField` is the sync's natural-key
 * field, used when the create sets it.
 */
export async function checkCreates(
  deps: ActionDeps,
  connection: ConnectionRow,
  creates: readonly SentCreate[],
  keyField?: string,
): Promise<CreateCheck[]> {
  const checks = findProvider(deps.providers, connection.provider).createdRecords;
  if (!checks || creates.length === 0) return creates.map(() => ({ absent: true }));
  return withConnectionHttp(deps, connection, (http) => checks.check(http, creates, keyField));
}
