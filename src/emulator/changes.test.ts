/** Batches of changes: deterministic per seed and batch, on a clock that only moves forward. */
import { describe, expect, it } from "vitest";
import { applyChanges, type ChangeCounts, LogicalClock } from "./changes.ts";
import { SeededTable } from "./table.ts";

interface Deal {
  stage: string;
}

function world(seed: number) {
  const clock = new LogicalClock(1_000_000);
  let batch = 0;
  const table = new SeededTable<Deal>({
    seededCount: 50,
    seededTimes: (index) => ({ createdAt: index, updatedAt: index * 10 }),
    generate: () => ({ stage: "open" }),
  });
  const change = (counts: ChangeCounts) =>
    applyChanges(table, counts, {
      seed,
      batch: ++batch,
      tick: (stepMs) => clock.tick(stepMs),
      updatedFields: (_id, version) => ({ stage: `stage-${version}` }),
      createdFields: () => ({ stage: "new" }),
    });
  return { table, change, now: () => clock.now };
}

describe("applyChanges", () => {
  it("updates, creates and archives distinct records, the same ones for the same seed", () => {
    const a = world(7);
    const first = a.change({ updates: 5, creates: 2, archives: 3 });
    expect(first.updated).toHaveLength(5);
    expect(first.created).toEqual([51, 52]);
    expect(first.archived).toHaveLength(3);
    expect(new Set([...first.updated, ...first.archived]).size).toBe(8);
    expect(a.table.get(first.updated[0]!)?.fields.stage).toBe("stage-1");
    expect(a.table.get(51)?.fields.stage).toBe("new");
    expect(a.table.liveCount).toBe(49);
    expect(world(7).change({ updates: 5, creates: 2, archives: 3 })).toEqual(first);
    expect(world(8).change({ updates: 5, creates: 2, archives: 3 }).updated).not.toEqual(first.updated);
  });

  it("spaces changes by stepMs, or gives the whole batch one time with stepMs 0", () => {
    const spaced = world(1);
    const start = spaced.now();
    const { updated } = spaced.change({ updates: 3, stepMs: 500 });
    expect(updated.map((id) => spaced.table.updatedAtOf(id))).toEqual([
      start + 500,
      start + 1000,
      start + 1500,
    ]);
    const shared = world(1);
    const same = shared.change({ updates: 3, creates: 1, stepMs: 0 });
    const times = [...same.updated, ...same.created].map((id) => shared.table.updatedAtOf(id));
    expect(new Set(times)).toEqual(new Set([shared.now()]));
  });

  it("never changes more records than are live", () => {
    const { change, table } = world(3);
    expect(change({ archives: 80 }).archived).toHaveLength(50);
    expect(table.liveCount).toBe(0);
    expect(change({ updates: 1 }).updated).toEqual([]);
  });
});
