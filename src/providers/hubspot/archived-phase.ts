/**
 * Archived records: HubSpot's search never returns them, so the archived list is read as the kit's deleted
 * list (kit/deleted-list.ts), filtered on `archivedAt` (all of them after a full refresh, those archived
 * since `archivedSince` otherwise). The last page's state is a complete cursor: no position.
 */
import { type DeletedListSpec, readDeletedList } from "../kit/index.ts";
import { fetchListPage, type ObjectReader, type PhasePage, recordsFromList } from "./reader.ts";
import type { CrmObjectResponse } from "./responses.ts";
import type { HubSpotState } from "./state.ts";

/** Yields archived records (archived: true) newer than `state.archivedSince`, then the final state. */
export async function* archivedPhase(reader: ObjectReader, state: HubSpotState): AsyncGenerator<PhasePage> {
  const list: DeletedListSpec<CrmObjectResponse> = {
    page: async (after: string | undefined) => {
      const page = await fetchListPage(reader, { after, archived: true });
      return { items: page.objects, next: page.next };
    },
    deletedAtOf: (source) => source.archivedAt,
  };
  const { position: at, ...cursor } = state;
  const from = at?.phase === "archived" ? at : undefined;
  for await (const page of readDeletedList(list, state.archivedSince, from, reader.ctx.signal)) {
    const records = recordsFromList(
      reader,
      page.items.map((source) => ({ ...source, archived: true })),
    );
    const { since: archivedSince } = page;
    const next = page.position
      ? { ...state, position: { phase: "archived" as const, ...page.position } }
      : { ...cursor, ...(archivedSince ? { archivedSince } : {}) };
    yield { records, state: next };
  }
}
