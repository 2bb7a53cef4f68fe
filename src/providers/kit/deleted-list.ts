/**
 * A list of deleted records that takes no time filter (an `archived=true` list), read incrementally
 * on our side: every page is read, and only items deleted after the watermark `since` are kept (an item
 * without a deletion time is kept: writing a deletion again is harmless). The latest deletion time seen
 * travels in the position, so a resumed read ends with the same new watermark.
 */
import { z } from "zod";

const iso = z.string().refine((value) => Number.isFinite(Date.parse(value)), "must be an ISO-8601 time");

/** Where a read of the list continues: the next page's token and the latest deletion time seen so far. */
export const deletedListPositionSchema = z.object({
  after: z.string().optional(),
  seenUntil: iso.optional(),
});

export type DeletedListPosition = z.infer<typeof deletedListPositionSchema>;

export interface DeletedListSpec<T> {
  /** One page of the list, from its start (`after` undefined) or the given token. */
  page(after: string | undefined): Promise<{ items: T[]; next: string | undefined }>;
  /** The item's deletion time (ISO-8601), if it says. */
  deletedAtOf(item: T): string | undefined;
}

export interface DeletedListPage<T> {
  /** Items deleted after the watermark. */
  items: T[];
  /** Mid-list: where to continue. Undefined on the last page. */
  position: DeletedListPosition | undefined;
  /** On the last page: the watermark for the next read (undefined: none yet). Mid-list: undefined. */
  since: string | undefined;
}

/** Reads the list from `position` (absent: the start), keeping items deleted after `since` (absent: all). */
export async function* readDeletedList<T>(
  spec: DeletedListSpec<T>,
  since: string | undefined,
  position: DeletedListPosition | undefined,
  signal: AbortSignal,
): AsyncGenerator<DeletedListPage<T>> {
  const watermark = since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(since);
  let after = position?.after;
  let seenUntil =
    position?.seenUntil === undefined ? Number.NEGATIVE_INFINITY : Date.parse(position.seenUntil);
  while (true) {
    signal.throwIfAborted();
    const page = await spec.page(after);
    const items = page.items.filter((item) => {
      const raw = spec.deletedAtOf(item);
      const at = raw === undefined ? Number.NaN : Date.parse(raw);
      if (Number.isFinite(at)) seenUntil = Math.max(seenUntil, at);
      return !Number.isFinite(at) || at > watermark;
    });
    const latest = Number.isFinite(seenUntil) ? new Date(seenUntil).toISOString() : undefined;
    if (page.next) {
      yield {
        items,
        position: { after: page.next, ...(latest ? { seenUntil: latest } : {}) },
        since: undefined,
      };
      after = page.next;
      continue;
    }
    yield { items, position: undefined, since: seenUntil > watermark ? latest : since };
    return;
  }
}
