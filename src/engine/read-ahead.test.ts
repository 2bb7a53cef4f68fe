import { describe, expect, it } from "vitest";
import { readAhead } from "./read-ahead.ts";

async function* counted(n: number, log: string[], failAt?: number) {
  for (let i = 0; i < n; i++) {
    log.push(`produce ${i}`);
    if (i === failAt) throw new Error(`boom at ${i}`);
    yield i;
  }
}

describe("readAhead", () => {
  it("keeps order and produces at most one item ahead of the consumer", async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const item of readAhead(counted(4, log), 1)) {
      log.push(`consume ${item}`);
      seen.push(item);
    }
    expect(seen).toEqual([0, 1, 2, 3]);
    // Item i+1 is produced before item i is consumed, never i+2.
    expect(log.slice(0, 5)).toEqual(["produce 0", "produce 1", "consume 0", "produce 2", "consume 1"]);
  });

  it("surfaces a producer error after the items before it, without an unhandled rejection", async () => {
    const seen: number[] = [];
    await expect(async () => {
      for await (const item of readAhead(counted(5, [], 2), 1)) {
        seen.push(item);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }).rejects.toThrow("boom at 2");
    expect(seen).toEqual([0, 1]);
  });
});
