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
import { ConfigError, describeIssues, type StreamState } from "../../core/index.ts";

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
  z.object({ phase: z.literal("changes"), tieAfterId: z.string().optional() }),
  z.object({ phase: z.literal("archived"), after: z.string().optional(), seenUntil: iso.optional() }),
]);

export const hubspotStateSchema = z.object({
  since: iso,
  sinceIds: z.array(z.string()).optional(),
  archivedSince: iso.optional(),
  associations: z
    .object({ width: z.number().int().positive(), digests: z.record(z.string(), z.string()) })
    .optional(),
  position: positionSchema.optional(),
});

export type HubSpotState = z.infer<typeof hubspotStateSchema>;
export type Position = z.infer<typeof positionSchema>;

/** Reads a stored state; a state we did not write is a ConfigError telling the user how to recover. */
export function parseState(stream: string, state: StreamState | undefined): HubSpotState | undefined {
  if (state === undefined) return undefined;
  const parsed = hubspotStateSchema.safeParse(state);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    `The saved state of stream hubspot.${stream} is not one this version understands (${describeIssues(parsed.error.issues, { max: 3, root: "body" })}).`,
    "Run a full refresh of the stream to start from a fresh state.",
    { stream },
  );
}

/** The state as JSON, leaving out empty optional parts. */
export function toStreamState(state: HubSpotState): StreamState {
  const out: StreamState = { since: state.since };
  if (state.sinceIds && state.sinceIds.length > 0) out.sinceIds = [...state.sinceIds];
  if (state.archivedSince !== undefined) out.archivedSince = state.archivedSince;
  if (state.associations) {
    out.associations = { width: state.associations.width, digests: { ...state.associations.digests } };
  }
  if (state.position) {
    const position: StreamState = { phase: state.position.phase };
    for (const [key, value] of Object.entries(state.position)) if (value !== undefined) position[key] = value;
    out.position = position;
  }
  return out;
}

export const EPOCH = new Date(0).toISOString();
