/**
 * Archived records: HubSpot's search never returns them, so the archived list is paged and filtered on
 * `archivedAt` (all of them after a full refresh, those archived since the cursor otherwise).
 * The last page's state is a complete cursor: no position.
 */
import { fetchListPage, type ObjectReader, type PhasePage, recordsFromList } from "./reader.ts";
import type { HubSpotState } from "./state.ts";

/** Yields archived records (archived: true) newer than `state.archivedSince`, then the final state. */
export async function* archivedPhase(reader: ObjectReader, state: HubSpotState): AsyncGenerator<PhasePage> {
  const position = state.position?.phase === "archived" ? state.position : { phase: "archived" as const };
  const since =
    state.archivedSince === undefined ? Number.NEGATIVE_INFINITY : Date.parse(state.archivedSince);
  let after = position.after;
  let seenUntil =
    position.seenUntil === undefined ? Number.NEGATIVE_INFINITY : Date.parse(position.seenUntil);
  while (true) {
    reader.ctx.signal.throwIfAborted();
    const page = await fetchListPage(reader, { after, archived: true });
    const fresh = page.objects.filter((source) => {
      // Without archivedAt we cannot tell when: keep it (writing it again is harmless).
      const at = source.archivedAt === undefined ? Number.NaN : Date.parse(source.archivedAt);
      if (Number.isFinite(at)) seenUntil = Math.max(seenUntil, at);
      return !Number.isFinite(at) || at > since;
    });
    const records = recordsFromList(
      reader,
      fresh.map((source) => ({ ...source, archived: true })),
    );
    const latest = Number.isFinite(seenUntil) ? new Date(seenUntil).toISOString() : undefined;
    if (page.next) {
      const next = { phase: "archived" as const, after: page.next, ...(latest ? { seenUntil: latest } : {}) };
      yield { records, state: { ...state, position: next } };
      after = page.next;
      continue;
    }
    const { position: _done, ...cursor } = state;
    const archivedSince = Number.isFinite(seenUntil) && seenUntil > since ? latest : state.archivedSince;
    yield { records, state: { ...cursor, ...(archivedSince ? { archivedSince } : {}) } };
    return;
  }
}
