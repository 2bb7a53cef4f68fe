/** What an emulator counted, read through its kit controls (`/_emulator/*`), for tests that check requests and rows. */
import { CONTROL_PREFIX } from "../../src/emulator/control-routes.ts";

/** Requests the emulator accepted so far, summed over its rate-limit windows (or over one named window). */
export async function acceptedRequests(emulatorUrl: string, window?: string): Promise<number> {
  const response = await fetch(`${emulatorUrl}${CONTROL_PREFIX}/rate-limit/windows`);
  const { windows } = (await response.json()) as { windows: { window: string; accepted: number }[] };
  return windows
    .filter((w) => window === undefined || w.window === window)
    .reduce((sum, w) => sum + w.accepted, 0);
}

/** The live rows of one of the emulator's tables, as its ground-truth control answers them. */
export async function liveRows(emulatorUrl: string, table: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${emulatorUrl}${CONTROL_PREFIX}/ground-truth/${table}`);
  if (!response.ok) throw new Error(`ground truth of ${table}: HTTP ${response.status}`);
  return ((await response.json()) as { live: Record<string, unknown>[] }).live;
}
