import type { Kysely } from "kysely";
import { type Database, findDueSyncs, type Sync } from "../store/index.ts";

/** Past this many waiting syncs the depth reads as this many: a scrape stays one bounded query. */
export const QUEUE_DEPTH_CAP = 10_000;

/** When a sync found due became due: its manual request or its scheduled time, whichever came first. */
export function dueSince(sync: Pick<Sync, "requested" | "nextRunAt">, now: Date): Date {
  const times = [sync.requested?.at, sync.nextRunAt]
    .filter((at): at is string => at !== null && at !== undefined)
    .map((at) => new Date(at).getTime())
    .filter((time) => time <= now.getTime());
  return new Date(times.length > 0 ? Math.min(...times) : now.getTime());
}

/** What the run queue holds now: syncs due and unclaimed, and how long the oldest has waited. */
export async function readQueue(
  db: Kysely<Database>,
  now = new Date(),
): Promise<{ depth: number; oldestWaitSeconds: number }> {
  const waiting = await findDueSyncs(db, now.toISOString(), QUEUE_DEPTH_CAP);
  const oldest = Math.min(now.getTime(), ...waiting.map((sync) => dueSince(sync, now).getTime()));
  return { depth: waiting.length, oldestWaitSeconds: (now.getTime() - oldest) / 1000 };
}
