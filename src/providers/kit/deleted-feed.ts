/**
 * Reading a deleted-records endpoint (the delete rule `type: "endpoint"`): the cursor parameter it takes,
 * and what each of its items says. A plain list of deleted records yields them as they are; a feed of every
 * change (Pipedrive's `recents`) names which items are deletions (`where`) and where their id is (`idAt`),
 * and yields a tombstone `{ <primaryKey>: id }` for each deletion.
 */
import type { SyncRecord } from "../../core/index.ts";
import { getPath } from "../../http/json-path.ts";
import { formatCursor } from "./cursor-format.ts";
import type { ParsedEndpointRule } from "./delete-rule.ts";
import { cursorParam, type ParsedIncrementalSpec } from "./incremental.ts";

/** The endpoint's cursor parameter for a pass reading from `since` (none when it takes no cursor). */
export function deletedSinceParam(
  rule: ParsedEndpointRule,
  incremental: ParsedIncrementalSpec | undefined,
  since: string | undefined,
): Record<string, string | number> {
  if (since === undefined || rule.since === false) return {};
  if (rule.since === true) return incremental ? cursorParam(incremental, since) : {};
  return { [rule.since.param]: formatCursor(Date.parse(since), rule.since.format) };
}

/** The record an item of the endpoint stands for, or undefined when the item is not a deletion. */
export function deletedRecord(
  rule: ParsedEndpointRule,
  primaryKey: string,
  item: SyncRecord,
): SyncRecord | undefined {
  if (rule.where && getPath(item, rule.where.field) !== rule.where.equals) return undefined;
  return rule.idAt === undefined ? item : { [primaryKey]: getPath(item, rule.idAt) };
}
