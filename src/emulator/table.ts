/**
 * A seeded table keyed by integer id, with created/updated times and archiving. Seeded records are
 * generated on demand from their index (so a table of a million records costs nothing until read); only
 * changes — updates, archives, creations — are stored, as overrides. Indexes for id order and
 * modification-time order are built lazily and cached, so "changed since" reads stay fast.
 */

export interface RecordTimes {
  createdAt: number;
  updatedAt: number;
}

/** A record as the table holds it (times are epoch ms). */
export interface TableRecord<Fields> {
  id: number;
  fields: Fields;
  createdAt: number;
  updatedAt: number;
  /** When it was archived (deleted); undefined while live. */
  archivedAt: number | undefined;
}

export interface SeededTableOptions<Fields> {
  /** The id of seeded record 0; ids then go up by one, and created records continue the sequence. */
  idBase?: number;
  seededCount: number;
  /** When seeded record `index` was created and last modified: a pure function (of a seed, usually). */
  seededTimes(index: number): RecordTimes;
  /** The fields of seeded record `index`; also fills records created without explicit fields. */
  generate(index: number, id: number, times: RecordTimes): Fields;
  /** Fields that mirror the id or times, refreshed on changed records after their changes are laid over. */
  derive?(fields: Fields, record: { id: number; createdAt: number; updatedAt: number }): void;
}

/** One change to a table after seeding, as its `onChange` listener hears it (webhooks: src/emulator/webhooks.ts). */
export type TableChange<Fields> =
  | { kind: "created"; id: number; at: number }
  /** `previous`: the changed fields' values before the update. */
  | { kind: "updated"; id: number; at: number; fields: Partial<Fields>; previous: Partial<Fields> }
  | { kind: "archived"; id: number; at: number };

/** What changed about one record since seeding. */
interface Override<Fields> {
  /** Values laid over the generated ones (or the whole record when `explicit`). */
  fields: Partial<Fields>;
  updatedAt: number;
  archivedAt?: number;
  /** How many updates the record has had (a provider can seed each update's values with it). */
  version: number;
  /** Set for records created after seeding. */
  createdAt?: number;
  /** True when the record was created with explicit fields: nothing generated underneath. */
  explicit?: boolean;
}

interface TimeKey {
  ts: number;
  id: number;
}

export class SeededTable<Fields extends object> {
  readonly idBase: number;
  private readonly seededCount: number;
  private createdCount = 0;
  private readonly overrides = new Map<number, Override<Fields>>();
  private baseTimes: { updatedAt: Float64Array; order: Int32Array } | undefined;
  private overlay: TimeKey[] | undefined;
  private archived: number[] | undefined;
  /** Told of every change after it is made (an emulator's webhooks listen here). */
  onChange: ((change: TableChange<Fields>) => void) | undefined;

  constructor(private readonly options: SeededTableOptions<Fields>) {
    this.idBase = options.idBase ?? 1;
    this.seededCount = options.seededCount;
  }

  /** Number of records ever created (seeded + later), archived ones included. */
  get totalCount(): number {
    return this.seededCount + this.createdCount;
  }

  /** The id of the next record to be created; ids only grow. */
  get nextId(): number {
    return this.idBase + this.totalCount;
  }

  /** The record's index if this id was ever created in this table. */
  indexOf(id: number): number | undefined {
    const index = id - this.idBase;
    return Number.isInteger(index) && index >= 0 && index < this.totalCount ? index : undefined;
  }

  isArchived(id: number): boolean {
    return this.overrides.get(id)?.archivedAt !== undefined;
  }

  /** True when the id exists and is not archived. */
  isLive(id: number): boolean {
    return this.indexOf(id) !== undefined && !this.isArchived(id);
  }

  /** True when the record was created with explicit fields rather than generated. */
  isExplicit(id: number): boolean {
    return this.overrides.get(id)?.explicit === true;
  }

  /** Last-modified time without generating fields (filters read it constantly). */
  updatedAtOf(id: number): number {
    return this.overrides.get(id)?.updatedAt ?? this.options.seededTimes(id - this.idBase).updatedAt;
  }

  createdAtOf(id: number): number {
    return this.overrides.get(id)?.createdAt ?? this.options.seededTimes(id - this.idBase).createdAt;
  }

  /** The full record, or undefined if the id was never created here. */
  get(id: number): TableRecord<Fields> | undefined {
    const index = this.indexOf(id);
    if (index === undefined) return undefined;
    const override = this.overrides.get(id);
    const seeded = override?.createdAt === undefined ? this.options.seededTimes(index) : undefined;
    const createdAt = override?.createdAt ?? seeded!.createdAt;
    const updatedAt = override?.updatedAt ?? seeded!.updatedAt;
    const fields = override?.explicit
      ? ({} as Fields)
      : this.options.generate(index, id, { createdAt, updatedAt });
    if (override) {
      Object.assign(fields, override.fields);
      this.options.derive?.(fields, { id, createdAt, updatedAt });
    }
    return { id, fields, createdAt, updatedAt, archivedAt: override?.archivedAt };
  }

  /** Live ids in ascending id order, starting at `fromId`. */
  *liveIds(fromId = this.idBase): Generator<number> {
    const end = this.nextId;
    for (let id = Math.max(fromId, this.idBase); id < end; id++) {
      if (!this.isArchived(id)) yield id;
    }
  }

  /** Archived ids in ascending id order, starting at `fromId`. */
  *archivedIds(fromId = this.idBase): Generator<number> {
    this.archived ??= [...this.overrides]
      .filter(([, override]) => override.archivedAt !== undefined)
      .map(([id]) => id)
      .sort((a, b) => a - b);
    const list = this.archived;
    for (let k = lowerBound(list.length, (i) => list[i]! >= fromId); k < list.length; k++) yield list[k]!;
  }

  /** Live records, counted without generating them. */
  get liveCount(): number {
    let archived = 0;
    for (const _ of this.archivedIds()) archived++;
    return this.totalCount - archived;
  }

  /**
   * Live ids ordered by (last-modified time, id), ascending or descending, limited to times in [from, to].
   * Merges the seeded records (sorted once) with the changed ones (re-sorted after changes).
   */
  *liveIdsByModified(descending: boolean, from = -Infinity, to = Infinity): Generator<number> {
    const base = this.baseIndex();
    const overlay = this.overlayIndex();
    const idBase = this.idBase;
    const baseTs = (k: number) => base.updatedAt[base.order[k]!]!;
    const baseId = (k: number) => idBase + base.order[k]!;
    const n = base.order.length;
    const step = descending ? -1 : 1;
    // Start positions: first entry >= from (ascending) or last entry <= to (descending).
    let i = descending ? lowerBound(n, (k) => baseTs(k) > to) - 1 : lowerBound(n, (k) => baseTs(k) >= from);
    let j = descending
      ? lowerBound(overlay.length, (k) => overlay[k]!.ts > to) - 1
      : lowerBound(overlay.length, (k) => overlay[k]!.ts >= from);
    const inRange = (ts: number) => ts >= from && ts <= to;
    while (true) {
      while (i >= 0 && i < n && this.overrides.has(baseId(i))) i += step;
      const a = i >= 0 && i < n && inRange(baseTs(i)) ? { ts: baseTs(i), id: baseId(i) } : undefined;
      const b = j >= 0 && j < overlay.length && inRange(overlay[j]!.ts) ? overlay[j]! : undefined;
      if (!a && !b) return;
      const takeA = a !== undefined && (b === undefined || compareKeys(a, b) * step < 0);
      if (takeA) {
        yield a.id;
        i += step;
      } else {
        yield b!.id;
        j += step;
      }
    }
  }

  /** Sets field values and the modification time; the record must be live. */
  update(id: number, fields: Partial<Fields>, at: number): void {
    const before = this.onChange ? this.get(id)?.fields : undefined;
    const override = this.ensureOverride(id);
    Object.assign(override.fields, fields);
    override.updatedAt = at;
    override.version += 1;
    this.overlay = undefined;
    if (this.onChange) {
      const previous: Partial<Fields> = {};
      for (const key of Object.keys(fields) as (keyof Fields)[]) previous[key] = before?.[key];
      this.onChange({ kind: "updated", id, at, fields, previous });
    }
  }

  /** Ids of every record changed or created since seeding. */
  changedIds(): IterableIterator<number> {
    return this.overrides.keys();
  }

  /** The update count of a record. */
  versionOf(id: number): number {
    return this.overrides.get(id)?.version ?? 0;
  }

  /** Archives a live record at time `at` (its modification time moves too). */
  archive(id: number, at: number): void {
    const override = this.ensureOverride(id);
    override.archivedAt = at;
    override.updatedAt = at;
    this.overlay = undefined;
    this.archived = undefined;
    this.onChange?.({ kind: "archived", id, at });
  }

  /**
   * Creates a record at time `at`. Without `fields` it is generated like a seeded one; with `fields` it holds
   * exactly those (an API create). Returns the new id.
   */
  create(at: number, fields?: Fields): number {
    const id = this.nextId;
    this.createdCount += 1;
    this.overrides.set(id, {
      fields: fields ? { ...fields } : {},
      updatedAt: at,
      createdAt: at,
      version: 0,
      ...(fields ? { explicit: true } : {}),
    });
    this.overlay = undefined;
    this.onChange?.({ kind: "created", id, at });
    return id;
  }

  private ensureOverride(id: number): Override<Fields> {
    let override = this.overrides.get(id);
    if (!override) {
      override = { fields: {}, updatedAt: this.updatedAtOf(id), version: 0 };
      this.overrides.set(id, override);
    }
    return override;
  }

  private baseIndex(): { updatedAt: Float64Array; order: Int32Array } {
    if (!this.baseTimes) {
      const updatedAt = new Float64Array(this.seededCount);
      for (let index = 0; index < this.seededCount; index++)
        updatedAt[index] = this.options.seededTimes(index).updatedAt;
      const order = Int32Array.from({ length: this.seededCount }, (_, index) => index);
      order.sort((a, b) => updatedAt[a]! - updatedAt[b]! || a - b);
      this.baseTimes = { updatedAt, order };
    }
    return this.baseTimes;
  }

  private overlayIndex(): TimeKey[] {
    this.overlay ??= [...this.overrides]
      .filter(([, override]) => override.archivedAt === undefined)
      .map(([id, override]) => ({ ts: override.updatedAt, id }))
      .sort(compareKeys);
    return this.overlay;
  }
}

function compareKeys(a: TimeKey, b: TimeKey): number {
  return a.ts - b.ts || a.id - b.id;
}

/** The first k in [0, n) for which `isAtOrAfter(k)` holds (it must be monotonic), else n. */
export function lowerBound(n: number, isAtOrAfter: (k: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAtOrAfter(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
