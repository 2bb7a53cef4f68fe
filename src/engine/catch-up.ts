import type { Destination, StreamTarget } from "../core/index.ts";
import type { RecordsCache } from "../destinations/records-cache.ts";
import { askDestination, writeTo } from "./commit.ts";

/**
 * Sends a destination every change the records cache made to a stream of a connection after the
 * destination's mark (`syncedThrough`): changes made by runs that did not write this destination (a CLI
 * `--no-duckdb` run, a sync without the warehouse), or that a crash kept from reaching it; a new destination
 * gets the whole cache. Pages of `pageSize` records in key order; only the last page moves the mark, so an
 * interrupted catch-up starts over. Returns the destination's mark afterwards and how many records it got.
 * Costs one small read when the destination is up to date.
 */
export async function catchUp(input: {
  cache: RecordsCache;
  destination: Destination;
  connectionId: string;
  target: StreamTarget;
  pageSize: number;
}): Promise<{ syncedThrough: string | null; sent: number }> {
  const { cache, destination, connectionId, target, pageSize } = input;
  const mark = await askDestination(destination, () => destination.syncedThrough(connectionId, target));
  // Read before the pages, so a change landing meanwhile is sent again next time rather than skipped.
  const latest = await cache.syncedThrough(connectionId, target);
  if (latest === null || (mark !== null && latest <= mark)) return { syncedThrough: mark, sent: 0 };

  let sent = 0;
  let afterPk: string | undefined;
  for (;;) {
    const records = await cache.changedAfter(connectionId, target.stream, {
      changedAfter: mark,
      limit: pageSize,
      ...(afterPk !== undefined ? { afterPk } : {}),
    });
    const last = records.length < pageSize;
    await writeTo(destination, {
      connectionId,
      target,
      records,
      syncedAt: new Date(),
      ...(last ? { syncedThrough: latest } : {}),
    });
    sent += records.length;
    if (last) return { syncedThrough: latest, sent };
    afterPk = records[records.length - 1]!.pk;
  }
}
