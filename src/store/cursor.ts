import { type SelectQueryBuilder, sql } from "kysely";
import { ArgumentError } from "../core/index.ts";

/**
 * Opaque cursors for keyset pagination. A cursor holds the sort key of the last item of a page
 * (e.g. `[created_at, id]`); the next page starts strictly after it, so pages never skip or repeat rows.
 */

/** Encodes the sort key of the last item of a page. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** Decodes a cursor made by encodeCursor with `size` parts; throws ArgumentError for anything else. */
export function decodeCursor(cursor: string, size: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== size || !key.every((part) => typeof part === "string")) {
    throw new ArgumentError(
      "The cursor is not valid.",
      "Pass the `next_cursor` of a previous page unchanged, or leave it out to start from the first page.",
    );
  }
  return key as string[];
}

/** A page of results: the items and the cursor of the next page (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells whether there is a next page.
 * `keyOf` gives the sort key the cursor continues after.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => readonly string[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/**
 * Fetches one page of `query` newest first by (`at`, `id`) — both descending — starting strictly after `cursor`.
 * `at` and `id` are column references such as "created_at" or "runs.id"; the cursor holds `[at, id]` of the last row.
 */
export async function pageNewestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  columns: { at: string; id: string },
  options: { cursor?: string; limit: number },
  keyOf: (row: O) => readonly [string, string],
): Promise<Page<O>> {
  const at = sql.ref(columns.at);
  const id = sql.ref(columns.id);
  let paged = query;
  if (options.cursor) {
    const [lastAt, lastId] = decodeCursor(options.cursor, 2) as [string, string];
    paged = paged.where(sql<boolean>`(${at} < ${lastAt} or (${at} = ${lastAt} and ${id} < ${lastId}))`);
  }
  const rows = await paged
    .orderBy(sql`${at} desc`)
    .orderBy(sql`${id} desc`)
    .limit(options.limit + 1)
    .execute();
  return toPage(rows as O[], options.limit, keyOf);
}
