/**
 * Stream state for HubSpot CRM objects.
 *
 * A completed read leaves an incremental cursor:
 *   { since, sinceIds?, archivedSince?, associations? }
 * - since: records modified at or after this instant are read next time (ISO);
 * - sinceIds: ids already read whose modification time is exactly `since` (skipped next time);
 * - archivedSince: archived records with archivedAt after this are read next time (absent: all);
 * - associations: contacts and deals only, the fingerprint of their company associations at the last
 *   check (see association-fingerprint.ts).
 * Mid-read, `position` says where to continue:
 *   { phase: "associations" }                 checking associations (not resumable: it restarts)
 *   { phase: "reassociate", spans, afterId? } re-reading the id ranges whose associations changed
 *   { phase: "list", after? }                 full refresh, paging the list endpoint by `after`
 *   { phase: "changes", tieAfterId? }         incremental search; tieAfterId while walking ids that share `since`
 *   { phase: "archived", after?, seenUntil? } paging the archived list; seenUntil = latest archivedAt seen
 */
import { z } from "zod";
import type { JsonValue, StreamState } from "../../core/index.ts";
import { deletedListPositionSchema, parseSavedState, searchCursorStateSchema } from "../kit/index.ts";

const iso = z.string().refine((value) => Number.isFinite(Date.parse(value)), "must be an ISO date-time");

const rangeSpan = z.tuple([z.number().int(), z.number().int()]);

const positionSchema = z.discriminatedUnion("phase", [
  z.object({ phase: z.literal("associations") }),
  z.object({
    phase: z.literal("reassociate"),
    spans: z.array(rangeSpan).min(1),
    afterId: z.string().optional(),
  }),
  z.object({ phase: z.literal("list"), after: z.string().optional() }),
  // The kit's search cursor (`tieAfterId`) and deleted list (`after`, `seenUntil`) positions.
  searchCursorStateSchema.pick({ tieAfterId: true }).extend({ phase: z.literal("changes") }),
  deletedListPositionSchema.extend({ phase: z.literal("archived") }),
]);

/** The search cursor's `since` and `sinceIds`, then what HubSpot adds. */
export const hubspotStateSchema = searchCursorStateSchema.omit({ tieAfterId: true }).extend({
  archivedSince: iso.optional(),
  associations: z
    .object({ width: z.number().int().positive(), digests: z.record(z.string(), z.string()) })
    .optional(),
  position: positionSchema.optional(),
});

export type HubSpotState = z.infer<typeof hubspotStateSchema>;
export type Position = z.infer<typeof positionSchema>;

/** Reads a stored state; one we did not write is the kit's ConfigError telling the user how to recover. */
export const parseState = (stream: string, state: StreamState | undefined): HubSpotState | undefined =>
  parseSavedState(hubspotStateSchema, `hubspot.${stream}`, state);

/**
 * The state as JSON: absent parts and an empty `sinceIds` left out. Built by hand, not by a JSON round trip:
 * it runs at every page, and the association digests make a round trip cost ~1.5 ms a page in garbage. Lists
 * and the digests are copied, since the phases go on changing theirs while the engine holds this state.
 */
export function toStreamState({ sinceIds, associations, position, ...rest }: HubSpotState): StreamState {
  const out = definedMembers(rest);
  if (sinceIds?.length) out.sinceIds = [...sinceIds];
  if (associations) out.associations = { width: associations.width, digests: { ...associations.digests } };
  if (position) out.position = definedMembers(position);
  return out;
}

/** The members that are not undefined (JSON has no undefined), arrays copied. */
function definedMembers(object: object): StreamState {
  const out: StreamState = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    out[key] = (
      Array.isArray(value) ? value.map((item) => (Array.isArray(item) ? [...item] : item)) : value
    ) as JsonValue;
  }
  return out;
}
