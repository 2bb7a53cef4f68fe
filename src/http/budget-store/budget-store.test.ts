import { describe, expect, it } from "vitest";
import { withLease } from "./budget-store.ts";
import { MemoryBudgetStore } from "./memory-store.ts";

describe("MemoryBudgetStore", () => {
  it("applies each step to the stored state, forgets it after its time to live, and writes nothing when told", async () => {
    let now = 1_000;
    const store = new MemoryBudgetStore(() => now);
    const add = (count: number | undefined) => ({ state: (count ?? 0) + 1, result: (count ?? 0) + 1 });
    expect(await store.update("k", 100, add)).toBe(1);
    expect(await store.update("k", 100, add)).toBe(2);
    expect(await store.update("k", 100, (count: number | undefined) => ({ result: count }))).toBe(2);
    now += 100;
    expect(await store.update("k", 100, (count: number | undefined) => ({ result: count }))).toBeUndefined();
  });
});

describe("withLease", () => {
  it("lets one holder at a time run, and takes over a lease whose holder died after its time to live", async () => {
    let now = 0;
    const store = new MemoryBudgetStore(() => now);
    const order: string[] = [];
    // A holder that never releases (its process died): the lease is written, the task never ends.
    void withLease(store, "lock", 1_000, () => new Promise<void>(() => order.push("dead holder")));
    await Promise.resolve();
    const next = withLease(
      store,
      "lock",
      1_000,
      async () => {
        order.push("next holder");
      },
      async () => {
        now += 400; // each wait moves the clock: the dead holder's lease expires on the third look
      },
    );
    await next;
    expect(order).toEqual(["dead holder", "next holder"]);
    expect(now).toBeGreaterThanOrEqual(1_000);
    // Released: the next taker gets it at once.
    await withLease(
      store,
      "lock",
      1_000,
      async () => undefined,
      () => Promise.reject(new Error("waited")),
    );
  });
});
