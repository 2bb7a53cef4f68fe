/**
 * When an embedded sync is due: the next slot of its schedule, or soon after its source's records changed
 * (debounced). See schedule.ts for the jobs that run due syncs.
 */
import type { EmbeddedDb } from "../../flows/embedded/store.ts";

/** How long after a change its syncs run: more pushes within it join the same run. */
export const DEBOUNCE_MS = 5_000;

/** The source's syncs are due within DEBOUNCE_MS of `now` (sooner when they were due sooner already). */
export async function scheduleSoon(db: EmbeddedDb, sourceId: string, now: Date): Promise<void> {
  const soon = new Date(now.getTime() + DEBOUNCE_MS).toISOString();
  await db
    .updateTable("embedded_syncs")
    .set({ next_run_at: soon })
    .where("source_id", "=", sourceId)
    .where((eb) => eb.or([eb("next_run_at", "is", null), eb("next_run_at", ">", soon)]))
    .execute();
}
