/**
 * Embedded mode on the job interface (in-process queue): a due sync runs once, and a shutdown mid-run stops
 * the run at a checkpoint and asks for the sync again, so the next start resumes it.
 */
import { describe, expect, it } from "vitest";
import { buildSyncJob } from "../app/syncs/sync-connection.ts";
import { createSync } from "../app/syncs/syncs.ts";
import { getSync, listRuns, type Run } from "../store/index.ts";
import { createEmbeddedScheduler } from "./embedded.ts";
import { createSyncRunner } from "./run-claim.ts";
import { fixturePerTest, gate, memoryProvider, type StreamKnobs, untilReading } from "./test-fixtures.ts";

const f = fixturePerTest();

function embedded(knobs: StreamKnobs, finished: Run[]) {
  const providers = { memory: memoryProvider(knobs) };
  return createEmbeddedScheduler({
    db: f.store.db,
    run: createSyncRunner({
      store: f.store,
      buildJob: (id, job) => buildSyncJob({ store: f.store, vault: f.vault, providers }, id, job),
    }),
    pollMs: 5,
    onRunFinished: (_claim, run) => finished.push(run),
    onError: f.onError,
  });
}

describe("embedded scheduling on the in-process job queue", () => {
  it("runs a due sync once, and a shutdown mid-run leaves it asked for, resumed by the next start", async () => {
    const knobs: StreamKnobs = { failing: new Set(), records: 3, reads: [] };
    const sync = await createSync(f.store.db, memoryProvider(knobs), await f.connection(), {
      frequency: "1h",
    });
    const finished: Run[] = [];
    const first = new AbortController();
    const held = gate();
    knobs.hold = (stream) => (stream === "beta" ? held.promise : undefined);
    const running = embedded(knobs, finished).start(first.signal);
    await untilReading(knobs, "beta");
    first.abort();
    // The read notices the abort at its next page (it was held before its first).
    held.open();
    await running;
    expect(finished.map((run) => [run.status, run.error?.code])).toEqual([["failed", "run_aborted"]]);
    expect((await getSync(f.store.db, sync.id)).requested).not.toBeNull();

    knobs.hold = undefined;
    const second = new AbortController();
    const again = embedded(knobs, finished).start(second.signal);
    while (finished.length < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    second.abort();
    await again;
    expect(finished.map((run) => run.status)).toEqual(["failed", "succeeded"]);
    expect(await listRuns(f.store.db)).toHaveLength(2);
    expect((await getSync(f.store.db, sync.id)).requested).toBeNull();
  });
});
