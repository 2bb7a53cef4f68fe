/**
 * The diff of a model against its snapshot, as a merge of two sorted sequences: the model's rows, sorted by
 * primary key in the warehouse, against the snapshot's (pk, hash) entries, read from the store in pages in the
 * same order. Memory holds one chunk of rows and one snapshot page whatever the model's size, and the work is
 * one pass over each side: no set of a million keys is ever built.
 */
export interface ModelRow {
  pk: string;
  /** Hash of what the sync sends of the row (model-sql.ts). */
  hash: string;
  /** The row's values; may be a getter that converts them on demand (read only for added and changed rows). */
  readonly row: Readonly<Record<string, unknown>>;
}

export interface SnapshotEntry {
  pk: string;
  hash: string;
}

export type Change =
  | { kind: "added" | "changed"; pk: string; hash: string; row: Readonly<Record<string, unknown>> }
  | { kind: "removed"; pk: string };

/** A model's rows are not sorted by their key, or repeat one: the model cannot be diffed as it is. */
export class ModelKeyError extends Error {}

/**
 * Byte order of the keys' UTF-8, the order DuckDB (VARCHAR), SQLite (BINARY) and Postgres (COLLATE "C") sort
 * text in. JavaScript's `<` compares UTF-16 units, which agrees except around surrogate pairs.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  // Surrogates (U+D800–U+DFFF) sort below U+E000–U+FFFF in UTF-16 but above them in UTF-8.
  if (/[\uD800-\uDFFF]/.test(a) || /[\uD800-\uDFFF]/.test(b))
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

/**
 * Diffs sorted model rows, pushed a chunk at a time, against the snapshot read page by page through
 * `readSnapshot(afterPk)` (entries with pk > afterPk, sorted, empty at the end). Each change is awaited by
 * `emit` in key order. Call `finish` after the last chunk for the snapshot's remaining entries (removed).
 */
export class SortedDiff {
  #page: SnapshotEntry[] = [];
  #index = 0;
  #exhausted = false;
  #lastSnapshotPk: string | undefined;
  #lastModelPk: string | undefined;
  readonly counts = { added: 0, changed: 0, removed: 0, unchanged: 0 };

  constructor(
    private readonly readSnapshot: (afterPk: string | undefined) => Promise<SnapshotEntry[]>,
    private readonly emit: (change: Change) => Promise<void>,
  ) {}

  async push(rows: readonly ModelRow[]): Promise<void> {
    for (const row of rows) {
      if (this.#lastModelPk !== undefined) {
        const order = compareKeys(this.#lastModelPk, row.pk);
        if (order === 0)
          throw new ModelKeyError(`the primary key "${clip(row.pk)}" appears on more than one row`);
        if (order > 0) throw new ModelKeyError(`rows came out of key order at "${clip(row.pk)}"`);
      }
      this.#lastModelPk = row.pk;
      let entry = await this.#peek();
      while (entry && compareKeys(entry.pk, row.pk) < 0) {
        await this.#removed(entry);
        entry = await this.#peek();
      }
      if (entry && entry.pk === row.pk) {
        this.#index++;
        if (entry.hash === row.hash) this.counts.unchanged++;
        else {
          this.counts.changed++;
          await this.emit({ kind: "changed", pk: row.pk, hash: row.hash, row: row.row });
        }
      } else {
        this.counts.added++;
        await this.emit({ kind: "added", pk: row.pk, hash: row.hash, row: row.row });
      }
    }
  }

  /** Every snapshot entry the model no longer has. */
  async finish(): Promise<void> {
    for (let entry = await this.#peek(); entry; entry = await this.#peek()) await this.#removed(entry);
  }

  async #removed(entry: SnapshotEntry): Promise<void> {
    this.#index++;
    this.counts.removed++;
    await this.emit({ kind: "removed", pk: entry.pk });
  }

  async #peek(): Promise<SnapshotEntry | undefined> {
    if (this.#index < this.#page.length) return this.#page[this.#index];
    if (this.#exhausted) return undefined;
    this.#page = await this.readSnapshot(this.#lastSnapshotPk);
    this.#index = 0;
    if (this.#page.length === 0) {
      this.#exhausted = true;
      return undefined;
    }
    this.#lastSnapshotPk = this.#page[this.#page.length - 1]!.pk;
    return this.#page[0];
  }
}

/** A key short enough for a message. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
