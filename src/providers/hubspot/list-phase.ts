/**
 * Full refresh, live records: pages the list endpoint by `after` (ascending ids), then hands over to the
 * archived phase. `since` was fixed before the first page, so the next incremental read misses nothing
 * changed meanwhile.
 */
import { fetchListPage, type ObjectReader, type PhasePage, recordsFromList } from "./reader.ts";
import type { HubSpotState } from "./state.ts";

/** Yields every live record once, page by page; each page's state resumes right after it. */
export async function* listPhase(reader: ObjectReader, state: HubSpotState): AsyncGenerator<PhasePage> {
  let after = state.position?.phase === "list" ? state.position.after : undefined;
  while (true) {
    reader.ctx.signal.throwIfAborted();
    const page = await fetchListPage(reader, { after, archived: false });
    const position = page.next
      ? { phase: "list" as const, after: page.next }
      : { phase: "archived" as const };
    yield { records: recordsFromList(reader, page.objects), state: { ...state, position } };
    if (!page.next) return;
    after = page.next;
  }
}
