/**
 * The `next` and `previous` cursors of Merge's pages, shared by the Common Model lists and `linked-accounts`:
 * a cursor names the row a page starts after (`next`) or ends before (`previous`), by id and, when the list is
 * sorted on another value, by that value too. A page is read as `pageSize + 1` rows from its cursor, in the
 * cursor's direction; the extra row says whether more follow.
 */
import { SwitchyardError } from "../../core/index.ts";

/** Where a page starts: the object before (or after) it, by id and by the value it is sorted on. */
export interface Cursor {
  direction: "next" | "previous";
  id: string;
  sortValue?: string;
}

/** The `next` or `previous` text of a page (bench/unified-api builds cursors deep into a list with it). */
export function encodeCursor(cursor: Cursor): string {
  const tuple = [
    cursor.direction === "next" ? "n" : "p",
    cursor.id,
    ...(cursor.sortValue ? [cursor.sortValue] : []),
  ];
  return Buffer.from(JSON.stringify(tuple)).toString("base64url");
}

/** The cursor a `next` or `previous` text names; `request_invalid` for any other text. */
export function decodeCursor(text: string): Cursor {
  try {
    const [direction, id, sortValue] = JSON.parse(
      Buffer.from(text, "base64url").toString("utf8"),
    ) as unknown[];
    if ((direction === "n" || direction === "p") && typeof id === "string") {
      return {
        direction: direction === "n" ? "next" : "previous",
        id,
        ...(typeof sortValue === "string" ? { sortValue } : {}),
      };
    }
  } catch {
    // Reported below.
  }
  throw new SwitchyardError("request_invalid", "The cursor is not one this API returned.", {
    hint: "Pass the `next` or `previous` value of a page unchanged, or leave `cursor` out for the first page.",
  });
}

/**
 * The page in `rows` (up to `pageSize + 1` rows read from `cursor`, in ascending order whichever the
 * direction), and the cursors to the pages around it; `at` makes a row's cursor.
 */
export function cutPage<Row>(
  rows: readonly Row[],
  pageSize: number,
  cursor: Cursor | undefined,
  at: (direction: Cursor["direction"], row: Row) => string,
): { page: Row[]; next: string | null; previous: string | null } {
  const more = rows.length > pageSize;
  const backward = cursor?.direction === "previous";
  // Backward pages come in ascending order too; the extra row is then the first one.
  const page = more ? (backward ? rows.slice(1) : rows.slice(0, pageSize)) : [...rows];
  const first = page[0];
  const last = page[page.length - 1];
  const link = (direction: Cursor["direction"], row: Row | undefined, exists: unknown) =>
    row !== undefined && exists ? at(direction, row) : null;
  return {
    page,
    // Going forward, more rows follow when the extra row came; going back, the cursor's own row follows.
    next: link("next", last, backward ? true : more),
    // Going back, more rows precede when the extra row came; going forward, the rows before the cursor do.
    previous: link("previous", first, backward ? more : cursor),
  };
}
