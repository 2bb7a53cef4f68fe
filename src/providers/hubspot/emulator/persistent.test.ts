import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../../../test/helpers/temp-store.ts";
import { OBJECT_TYPES } from "./catalog.ts";
import type { MutationRequest } from "./dataset.ts";
import { type PersistentHubSpotEmulator, startPersistentHubSpotEmulator } from "./persistent.ts";
import type { HubSpotEmulator } from "./server.ts";

const CHANGES: MutationRequest[] = [
  { type: "contacts", updates: 5, archives: 2, creates: 3 },
  { type: "companies", updates: 2, archives: 1, creates: 1 },
];
const options = { seed: 11, counts: { contacts: 60, companies: 12, deals: 20 } };
const dir = tempDir();
const stateFile = join(dir.path, "hubspot-emulator.json");
const open: PersistentHubSpotEmulator[] = [];
afterEach(async () => {
  for (const demo of open.splice(0)) await demo.emulator.close();
});
afterAll(() => dir.cleanup());

async function start(overrides: Partial<typeof options> = {}): Promise<PersistentHubSpotEmulator> {
  const demo = await startPersistentHubSpotEmulator({ ...options, ...overrides, stateFile });
  open.push(demo);
  return demo;
}

function truth(emulator: HubSpotEmulator) {
  return OBJECT_TYPES.map((type) => emulator.groundTruth(type));
}

describe("a persistent HubSpot emulator", () => {
  it("starts again with the data it had, changes included, and says it is continuous", async () => {
    const first = await start();
    expect(first.continuous).toBe(false);
    first.applyChanges(CHANGES);
    first.applyChanges(CHANGES);
    const before = truth(first.emulator);
    const url = first.emulator.url;
    await first.emulator.close();
    open.length = 0;
    // Two identical batches are kept as one journal entry.
    expect(JSON.parse(readFileSync(stateFile, "utf8")).journal).toEqual([{ changes: CHANGES, times: 2 }]);

    const second = await start();
    expect(second.continuous).toBe(true);
    expect(second.previousUrl).toBe(url);
    expect(truth(second.emulator)).toEqual(before);
    expect(second.emulator.state().objects.contacts).toEqual(first.emulator.state().objects.contacts);
  });

  it("is not continuous after a change the journal cannot replay, nor with another seed", async () => {
    const demo = await start();
    expect(demo.continuous).toBe(true);
    demo.emulator.mutate({ type: "deals", updates: 3 }); // not through applyChanges: not journaled
    demo.save();
    await demo.emulator.close();
    open.length = 0;

    const after = await start();
    expect(after.continuous).toBe(false);
    await after.emulator.close();
    open.length = 0;

    const reseeded = await start({ seed: 12 });
    expect(reseeded.continuous).toBe(false);
  });
});
