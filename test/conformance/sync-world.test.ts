/**
 * The conformance suite's comparison is not vacuous: it tells what landed from a truth that differs by one
 * record, one field value or one extra row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle, SyncRecord } from "../../src/core/index.ts";
import { fakeProvider, makeItems } from "../helpers/fake-provider.ts";
import { compareWithTruth, openSyncWorld, type SyncWorld } from "./sync-world.ts";

const items = makeItems(30);
const { provider } = fakeProvider({ data: items, pageSize: 7 });
let truth: Map<string, SyncRecord>;
const emulator: EmulatorHandle = {
  url: "http://127.0.0.1:9",
  credentials: { type: "bearer", token: "t" },
  rejectedCredentials: { type: "bearer", token: "x" },
  streams: ["items"],
  mutate: async () => {},
  truth: async () => ({ live: truth, deleted: new Set() }),
  setFaults: async () => {},
  close: async () => {},
};
const vouched = (item: SyncRecord) => ({ id: item.id, updatedAt: item.updatedAt });
let world: SyncWorld;

beforeAll(async () => {
  world = await openSyncWorld(provider, emulator);
  const run = await world.sync({ fullRefresh: true });
  expect(run.error).toBeNull();
});
afterAll(() => world.close());

describe("compareWithTruth", () => {
  it("finds the landed records equal to the truth on the fields the truth vouches for", async () => {
    truth = new Map(items.map((item) => [String(item.id), vouched(item)]));
    const landed = await compareWithTruth(world, provider, emulator, "items");
    expect(landed.cache).toEqual(landed.truth);
    expect(landed.warehouseHashes).toEqual(landed.cacheHashes);
    expect(landed.warehouseDuplicateKeys).toBe(0);
  });

  it("tells them apart when the truth has one record more, or one value differs", async () => {
    truth = new Map(items.map((item) => [String(item.id), vouched(item)]));
    truth.set("item-99999", { id: "item-99999", updatedAt: "2024-01-01T00:00:00.000Z" });
    const missing = await compareWithTruth(world, provider, emulator, "items");
    expect([missing.truth.count, missing.cache.count]).toEqual([31, 30]);

    truth = new Map(items.map((item) => [String(item.id), vouched(item)]));
    truth.set("item-00003", { id: "item-00003", updatedAt: "2030-01-01T00:00:00.000Z" });
    const landed = await compareWithTruth(world, provider, emulator, "items");
    expect(landed.cache.count).toBe(landed.truth.count);
    expect(landed.cache.checksum).not.toBe(landed.truth.checksum);
  });
});
