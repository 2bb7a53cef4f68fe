/**
 * Every run of a connection holds the connection's lease: a CLI run (`syncConnection`) and a scheduled run
 * of the same connection never overlap, nor do two CLI runs. The one that comes second is refused with a
 * message naming the run going on (CLI), or waits (scheduler).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { syncConnection } from "../app/syncs/sync-connection.ts";
import { createSync } from "../app/syncs/syncs.ts";
import { SwitchyardError } from "../core/index.ts";
import { countRecords, getConnectionLease, listRuns } from "../store/index.ts";
import type { Scheduler } from "./scheduler.ts";
import { fixturePerTest, gate, memoryProvider, realScheduler, type StreamKnobs } from "./test-fixtures.ts";

const f = fixturePerTest();
let knobs: StreamKnobs;
let connectionId: string;

beforeEach(async () => {
  knobs = { failing: new Set(), records: 4, reads: [] };
  connectionId = await f.connection();
});

const providers = () => ({ memory: memoryProvider(knobs) });

/** A CLI run of the connection (what `switchyard sync` does). */
function cliRun() {
  return syncConnection({ store: f.store, vault: f.vault, providers: providers() }, connectionId);
}

function scheduler(): Scheduler {
  return realScheduler(f, { knobs });
}

/** Holds every run in its first stream until the returned gate opens; resolves once a run is held. */
async function holdFirstStream(): Promise<() => void> {
  const held = gate();
  const seen = knobs.reads.length;
  knobs.hold = (stream) => (stream === "alpha" ? held.promise : undefined);
  const open = () => {
    knobs.hold = undefined;
    held.open();
  };
  return new Promise((resolve) => {
    const wait = () => (knobs.reads.length > seen ? resolve(open) : setTimeout(wait, 2));
    wait();
  });
}

async function refusal(run: Promise<unknown>): Promise<SwitchyardError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SwitchyardError);
  return error as SwitchyardError;
}

describe("one run per connection, CLI and scheduler alike", () => {
  it("two concurrent CLI runs: the second is refused, and the records are counted once", async () => {
    const first = cliRun();
    const release = await holdFirstStream();
    const second = await refusal(cliRun());
    expect(second).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(
        new RegExp(`^Connection ${connectionId} is being synced right now by another \`switchyard sync\``),
      ),
      hint: expect.stringContaining("Wait for that run to finish"),
    });
    release();
    const run = await first;
    expect(run).toMatchObject({ status: "succeeded", stats: { recordsAdded: 12 } });
    expect(await listRuns(f.store.db, { connectionId })).toHaveLength(1);
    expect(await getConnectionLease(f.store.db, connectionId)).toBeUndefined();
    // Once the first is done, the next CLI run goes ahead (and finds nothing new).
    expect(await cliRun()).toMatchObject({ status: "succeeded", stats: { recordsAdded: 0 } });
  });

  it("a CLI run is refused while a scheduled run of the connection goes on, naming the sync", async () => {
    const sync = await createSync(f.store.db, memoryProvider(knobs), connectionId, { frequency: "1h" });
    const s = scheduler();
    const releasing = holdFirstStream();
    expect(await s.tick()).toHaveLength(1);
    const release = await releasing;
    const error = await refusal(cliRun());
    expect(error.message).toContain(`by a scheduled run of sync ${sync.id}`);
    release();
    await s.idle();
    const runs = await listRuns(f.store.db, { connectionId });
    expect(runs.map((run) => [run.syncId, run.status, run.stats.recordsAdded])).toEqual([
      [sync.id, "succeeded", 12],
    ]);
  });

  it("the scheduler waits while a CLI run of the connection goes on, then runs the sync", async () => {
    const sync = await createSync(f.store.db, memoryProvider(knobs), connectionId, { frequency: "1h" });
    const s = scheduler();
    const cli = cliRun();
    const release = await holdFirstStream();
    expect(await s.tick()).toEqual([]);
    release();
    expect(await cli).toMatchObject({ status: "succeeded", stats: { recordsAdded: 12 } });
    expect(await s.tick()).toMatchObject([{ syncId: sync.id }]);
    await s.idle();
    const [scheduled] = await listRuns(f.store.db, { connectionId });
    // It ran after the CLI run, so it found the records there already: nothing counted twice.
    expect(scheduled).toMatchObject({ syncId: sync.id, status: "succeeded", stats: { recordsAdded: 0 } });
    expect(await countRecords(f.store.db, connectionId, "alpha")).toEqual({ live: 4, deleted: 0 });
  });
});
