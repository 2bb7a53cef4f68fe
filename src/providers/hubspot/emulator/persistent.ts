/**
 * An emulator whose data survives a restart. Its data is a pure function of the seed, the counts and the
 * change batches applied, so a small JSON file holds all of it: the change journal is replayed at the next
 * start. A fingerprint of the data catches what the journal cannot replay (records written through the API,
 * added properties, a generator changed by an upgrade): `continuous` is then false, and whoever synced from
 * the emulator before should re-read everything once.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { OBJECT_TYPES } from "./catalog.ts";
import { mutationSchema } from "./controls.ts";
import type { MutationRequest } from "./dataset.ts";
import {
  DEFAULT_SEED,
  type HubSpotEmulator,
  type HubSpotEmulatorOptions,
  startHubSpotEmulator,
} from "./server.ts";

const savedStateSchema = z.object({
  version: z.literal(1),
  seed: z.number(),
  counts: z.record(z.string(), z.number()),
  /** Where the emulator listened, so connections made against an older address can be moved. */
  url: z.string(),
  /** Change batches in order; `times` repeats the same batch (the demo applies one batch a minute). */
  journal: z.array(z.object({ changes: z.array(mutationSchema), times: z.number().int().min(1) })),
  /** sha256 of every type's ground truth when the file was written. */
  fingerprint: z.string(),
});
type SavedState = z.infer<typeof savedStateSchema>;

export interface PersistentHubSpotEmulator {
  emulator: HubSpotEmulator;
  /**
   * True when the data is exactly what it was when the previous process last saved it: cursors and caches
   * taken from it before still hold. False on a first start, a changed seed or counts, or data that the
   * journal could not reproduce.
   */
  continuous: boolean;
  /** The URL of the previous start, when there was one. */
  previousUrl: string | undefined;
  /** Applies a batch of changes and records it (the file is written before this returns). */
  applyChanges(changes: readonly MutationRequest[]): void;
  /** Writes the file now (e.g. at shutdown, to catch changes made through the API since). */
  save(): void;
}

/** Starts the emulator of `options` with the data saved in `stateFile`, replaying its journal. */
export async function startPersistentHubSpotEmulator(
  options: HubSpotEmulatorOptions & { stateFile: string },
): Promise<PersistentHubSpotEmulator> {
  const { stateFile, ...emulatorOptions } = options;
  const seed = options.seed ?? DEFAULT_SEED;
  const counts = { ...options.counts } as Record<string, number>;
  const saved = readSavedState(stateFile);
  const sameData = saved !== undefined && saved.seed === seed && sameCounts(saved.counts, counts);
  const journal: SavedState["journal"] = sameData ? saved.journal : [];

  const emulator = await startHubSpotEmulator(emulatorOptions);
  for (const entry of journal) {
    for (let i = 0; i < entry.times; i++) for (const change of entry.changes) emulator.mutate(change);
  }
  const continuous = sameData && fingerprint(emulator) === saved.fingerprint;

  const save = () => {
    const state: SavedState = {
      version: 1,
      seed,
      counts,
      url: emulator.url,
      journal,
      fingerprint: fingerprint(emulator),
    };
    // Write then rename, so a crash mid-write never leaves half a file.
    writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  save();
  return {
    emulator,
    continuous,
    previousUrl: saved?.url,
    applyChanges(changes) {
      for (const change of changes) emulator.mutate(change);
      const last = journal.at(-1);
      if (last && JSON.stringify(last.changes) === JSON.stringify(changes)) last.times++;
      else journal.push({ changes: changes.map((change) => ({ ...change })), times: 1 });
      save();
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

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

/** A hash of everything the API would return: every type's live records and archived ids. */
function fingerprint(emulator: HubSpotEmulator): string {
  const hash = createHash("sha256");
  for (const type of OBJECT_TYPES) hash.update(JSON.stringify(emulator.groundTruth(type)));
  return hash.digest("hex");
}
