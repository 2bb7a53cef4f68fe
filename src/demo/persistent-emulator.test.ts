import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/temp-store.ts";
import type { EmulatorHandle, ProviderDefinition } from "../core/index.ts";
import { providers } from "../providers/registry.ts";
import { demoChanges, demoProviders } from "./emulator.ts";
import { type PersistentEmulator, startPersistentEmulator } from "./persistent-emulator.ts";

// Every demo provider: the journal works through the emulator declaration alone.
const options = { seed: 11, records: 40 };
const dir = tempDir();
let provider: ProviderDefinition;
let stateFile: string;
const open: PersistentEmulator[] = [];
afterEach(async () => {
  for (const demo of open.splice(0)) await demo.handle.close();
});
afterAll(() => dir.cleanup());

async function start(overrides: Partial<typeof options> = {}): Promise<PersistentEmulator> {
  const demo = await startPersistentEmulator(provider, { ...options, ...overrides, stateFile });
  open.push(demo);
  return demo;
}

async function closeAll() {
  for (const demo of open.splice(0)) await demo.handle.close();
}

async function truth(handle: EmulatorHandle) {
  return Promise.all(handle.streams.map(async (stream) => [...(await handle.truth(stream)).live]));
}

describe.each(demoProviders(providers, {}))("a persistent demo emulator of $name", (demoProvider) => {
  beforeAll(() => {
    provider = demoProvider;
    stateFile = join(dir.path, `${demoProvider.name}-emulator.json`);
  });

  it("starts again with the data it had, changes included, and says it is continuous", async () => {
    const first = await start();
    expect(first.continuous).toBe(false);
    const changes = demoChanges(first.handle.streams);
    await first.applyChanges(changes);
    await first.applyChanges(changes);
    const before = await truth(first.handle);
    const url = first.handle.url;
    await closeAll();
    // Two identical batches are kept as one journal entry.
    expect(JSON.parse(readFileSync(stateFile, "utf8")).journal).toEqual([{ changes, times: 2 }]);

    const second = await start();
    expect(second.continuous).toBe(true);
    expect(second.previousUrl).toBe(url);
    expect(await truth(second.handle)).toEqual(before);
  });

  it("is not continuous after a change the journal cannot replay, nor with another seed", async () => {
    const demo = await start();
    expect(demo.continuous).toBe(true);
    // Not through applyChanges: not journaled.
    await demo.handle.mutate({ [demo.handle.streams[0]!]: { updates: 3 } });
    await demo.save();
    await closeAll();

    const after = await start();
    expect(after.continuous).toBe(false);
    await closeAll();

    const reseeded = await start({ seed: 12 });
    expect(reseeded.continuous).toBe(false);
  });
});
