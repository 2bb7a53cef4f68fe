/**
 * A provider's emulator whose data survives a restart, for any provider that declares one. An emulator's
 * data is a pure function of its seed, its size and the change batches applied, so a small JSON file holds
 * all of it: the change journal is replayed at the next start. A fingerprint of the emulator's truth catches
 * what the journal cannot replay (records written through its API, a generator changed by an upgrade):
 * `continuous` is then false, and whoever synced from the emulator before should re-read everything once.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type {
  EmulatorChange,
  EmulatorHandle,
  EmulatorStartOptions,
  ProviderDefinition,
} from "../core/index.ts";

const changesSchema = z.record(
  z.string(),
  z.object({
    creates: z.number().optional(),
    updates: z.number().optional(),
    deletes: z.number().optional(),
  }),
);
export type EmulatorChanges = Readonly<Record<string, EmulatorChange>>;

const savedStateSchema = z.object({
  version: z.literal(2),
  provider: z.string(),
  seed: z.number().optional(),
  records: z.number().optional(),
  /** Where the emulator listened, so connections made against an older address can be moved. */
  url: z.string(),
  /** Change batches in order; `times` repeats the same batch (the demo applies one batch a minute). */
  journal: z.array(z.object({ changes: changesSchema, times: z.number().int().min(1) })),
  /** sha256 of every stream's truth when the file was written. */
  fingerprint: z.string(),
});
type SavedState = z.infer<typeof savedStateSchema>;

export interface PersistentEmulator {
  handle: EmulatorHandle;
  /**
   * True when the data is exactly what it was when the previous process last saved it: cursors and caches
   * taken from it before still hold. False on a first start, another provider, seed or size, or data that
   * the journal could not reproduce.
   */
  continuous: boolean;
  /** The URL of the previous start, when there was one. */
  previousUrl: string | undefined;
  /** Applies a batch of changes and records it (the file is written before this resolves). */
  applyChanges(changes: EmulatorChanges): Promise<void>;
  /** Writes the file now (e.g. at shutdown, to catch changes made through the API since). */
  save(): Promise<void>;
}

/** Starts the provider's emulator with the data saved in `stateFile`, replaying its journal. */
export async function startPersistentEmulator(
  provider: ProviderDefinition,
  options: EmulatorStartOptions & { stateFile: string },
): Promise<PersistentEmulator> {
  const { stateFile, ...startOptions } = options;
  if (!provider.emulator) throw new Error(`${provider.displayName} declares no emulator.`);
  const saved = readSavedState(stateFile);
  const sameData =
    saved !== undefined &&
    saved.provider === provider.name &&
    saved.seed === options.seed &&
    saved.records === options.records;
  const journal: SavedState["journal"] = sameData ? saved.journal : [];

  const handle = await provider.emulator(startOptions);
  for (const entry of journal) {
    for (let i = 0; i < entry.times; i++) await handle.mutate(entry.changes);
  }
  const continuous = sameData && (await fingerprint(handle)) === saved.fingerprint;

  const save = async () => {
    const state: SavedState = {
      version: 2,
      provider: provider.name,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.records !== undefined ? { records: options.records } : {}),
      url: handle.url,
      journal,
      fingerprint: await fingerprint(handle),
    };
    // Write then rename, so a crash mid-write never leaves half a file.
    writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  await save();
  return {
    handle,
    continuous,
    previousUrl: saved?.url,
    async applyChanges(changes) {
      await handle.mutate(changes);
      const last = journal.at(-1);
      if (last && JSON.stringify(last.changes) === JSON.stringify(changes)) last.times++;
      else
        journal.push({
          changes: structuredClone(changes) as SavedState["journal"][number]["changes"],
          times: 1,
        });
      await save();
    },
    save,
  };
}

/** The saved state, or undefined when there is none or it cannot be read (then the data starts afresh). */
function readSavedState(path: string): SavedState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = savedStateSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A hash of what the emulator holds: every stream's live records (in key order) and deleted keys. */
async function fingerprint(handle: EmulatorHandle): Promise<string> {
  const hash = createHash("sha256");
  for (const stream of handle.streams) {
    const truth = await handle.truth(stream);
    const live = [...truth.live].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    hash.update(JSON.stringify({ stream, live, deleted: [...truth.deleted].sort() }));
  }
  return hash.digest("hex");
}
