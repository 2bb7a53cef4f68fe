/**
 * Full refresh, live records: pages the list endpoint by `after` (ascending ids), then hands over to the
 * archived phase. `since` was fixed before the first page, so the next incremental read misses nothing
 * changed meanwhile. For contacts and deals it also folds each record's company ids into the association
 * fingerprint the check phase started (association-fingerprint.ts): the baseline the next check compares with.
 */
import { FingerprintBuilder } from "./association-fingerprint.ts";
import { fetchListPage, type ObjectReader, type PhasePage, recordsFromList } from "./reader.ts";
import { companyIdsInline } from "./records.ts";
import type { HubSpotState } from "./state.ts";

/** Yields every live record once, page by page; each page's state resumes right after it. */
export async function* listPhase(reader: ObjectReader, state: HubSpotState): AsyncGenerator<PhasePage> {
  let after = state.position?.phase === "list" ? state.position.after : undefined;
  // Each record is listed once per full refresh, and a resumed one continues after its checkpoint.
  const builder =
    state.associations && reader.object.withCompanyIds
      ? FingerprintBuilder.resume(state.associations)
      : undefined;
  while (true) {
    reader.ctx.signal.throwIfAborted();
    const page = await fetchListPage(reader, { after, archived: false });
    if (builder) {
      for (const source of page.objects) {
        for (const companyId of companyIdsInline(source)) builder.add(source.id, companyId);
      }
    }
    const position = page.next
      ? { phase: "list" as const, after: page.next }
      : { phase: "archived" as const };
    yield {
      records: recordsFromList(reader, page.objects),
      state: builder ? { ...state, associations: builder.build(), position } : { ...state, position },
    };
    if (!page.next) return;
    after = page.next;
  }
}
