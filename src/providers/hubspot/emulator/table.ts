/**
 * One object type's records: seeded records are generated on demand from their index; only changes
 * (updates, archives, creations) are stored, as overrides. Indexes for id order and modification-time
 * order are built lazily and cached.
 */
import { OBJECT_SPECS, type ObjectSpec, type ObjectTypeName } from "./catalog.ts";
import { generateProperties, type PropertyValues, seededCompanyIndex, seededTimes } from "./generate.ts";

/** A record with every property it has, as the emulator holds it (numbers are epoch ms). */
export interface StoredRecord {
  id: number;
  properties: PropertyValues;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | undefined;
}

/** What changed about one record since seeding. */
interface Override {
  /** Values layered over the generated ones (or the whole record when `fromApi`). */
  props: PropertyValues;
  updatedAt: number;
  archivedAt?: number;
  /** How many updates the record has had; drives deterministic update values. */
  version: number;
  /** Set for records created after seeding. */
  createdAt?: number;
  /** True when the record was created through the API: nothing generated underneath. */
  fromApi?: boolean;
  /** The associated company id, when it differs from the seeded one (null = none). */
  companyId?: number | null;
}

/** Settings a table needs from the dataset around it. */
export interface TableContext {
  seed: number;
  clockStart: number;
  /** Seeded company count: seeded contacts and deals point at companies by index. */
  seededCompanies: number;
}

export class ObjectTable {
  readonly spec: ObjectSpec;
  private createdCount = 0;
  private readonly overrides = new Map<number, Override>();
  private baseTimes: { updatedAt: Float64Array; order: Int32Array } | undefined;
  private overlay: { ts: number; id: number }[] | undefined;
  private archived: number[] | undefined;

  constructor(
    readonly type: ObjectTypeName,
    private readonly seededCount: number,
    private readonly ctx: TableContext,
  ) {
    this.spec = OBJECT_SPECS[type];
  }

  /** Number of records ever created (seeded + later), archived ones included. */
  get totalCount(): number {
    return this.seededCount + this.createdCount;
  }

  /** The id of the next record to be created; ids only grow. */
  get nextId(): number {
    return this.spec.idBase + this.totalCount;
  }

  /** The record's index if this id was ever created in this table. */
  indexOf(id: number): number | undefined {
    const index = id - this.spec.idBase;
    return Number.isInteger(index) && index >= 0 && index < this.totalCount ? index : undefined;
  }

  isArchived(id: number): boolean {
    return this.overrides.get(id)?.archivedAt !== undefined;
  }

  /** True when the id exists and is not archived. */
  isLive(id: number): boolean {
    return this.indexOf(id) !== undefined && !this.isArchived(id);
  }

  /** Last-modified time without generating properties (searches filter on it constantly). */
  updatedAtOf(id: number): number {
    const override = this.overrides.get(id);
    if (override) return override.updatedAt;
    return this.seededTimesOf(id - this.spec.idBase).updatedAt;
  }

  createdAtOf(id: number): number {
    return this.overrides.get(id)?.createdAt ?? this.seededTimesOf(id - this.spec.idBase).createdAt;
  }

  /** The associated company's id (contacts and deals), or undefined when there is none. */
  companyIdOf(id: number): number | undefined {
    const override = this.overrides.get(id);
    if (override?.companyId !== undefined) return override.companyId ?? undefined;
    if (override?.fromApi) return undefined;
    const companyIndex = this.seededCompanyIndexOf(id - this.spec.idBase);
    return companyIndex < 0 ? undefined : OBJECT_SPECS.companies.idBase + companyIndex;
  }

  /** The full record, or undefined if the id was never created here. */
  get(id: number): StoredRecord | undefined {
    const index = this.indexOf(id);
    if (index === undefined) return undefined;
    const override = this.overrides.get(id);
    const times = override?.createdAt === undefined ? this.seededTimesOf(index) : undefined;
    const createdAt = override?.createdAt ?? times!.createdAt;
    const updatedAt = override?.updatedAt ?? times!.updatedAt;
    const properties: PropertyValues = override?.fromApi
      ? {}
      : generateProperties({
          seed: this.ctx.seed,
          type: this.type,
          index,
          id: String(id),
          createdAt,
          updatedAt,
          companyIndex: this.seededCompanyIndexOf(index),
        });
    if (override) {
      Object.assign(properties, override.props);
      properties.createdate = new Date(createdAt).toISOString();
      properties[this.spec.modifiedProperty] = new Date(updatedAt).toISOString();
      properties.hs_object_id = String(id);
    }
    return { id, properties, createdAt, updatedAt, archivedAt: override?.archivedAt };
  }

  /** Live ids in ascending id order, starting at `fromId`. */
  *liveIds(fromId = this.spec.idBase): Generator<number> {
    const end = this.spec.idBase + this.totalCount;
    for (let id = Math.max(fromId, this.spec.idBase); id < end; id++) {
      if (!this.isArchived(id)) yield id;
    }
  }

  /** Archived ids in ascending id order, starting at `fromId`. */
  *archivedIds(fromId = this.spec.idBase): Generator<number> {
    this.archived ??= [...this.overrides]
      .filter(([, override]) => override.archivedAt !== undefined)
      .map(([id]) => id)
      .sort((a, b) => a - b);
    const list = this.archived;
    for (let k = lowerBound(list.length, (i) => list[i]! >= fromId); k < list.length; k++) yield list[k]!;
  }

  /**
   * Live ids ordered by (last-modified time, id), ascending or descending, limited to times in [from, to].
   * Merges the seeded records (sorted once) with the changed ones (re-sorted after changes).
   */
  *liveIdsByModified(descending: boolean, from = -Infinity, to = Infinity): Generator<number> {
    const base = this.baseIndex();
    const overlay = this.overlayIndex();
    const idBase = this.spec.idBase;
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

  /** Sets property values and the modification time; the record must be live. */
  update(id: number, props: PropertyValues, at: number, companyId?: number | null): void {
    const override = this.ensureOverride(id);
    Object.assign(override.props, props);
    override.updatedAt = at;
    override.version += 1;
    if (companyId !== undefined) override.companyId = companyId;
    this.overlay = undefined;
  }

  /**
   * Points a contact or deal at another company (null = none) without touching its modification time:
   * HubSpot does not bump a record's last-modified date when only its associations change.
   */
  setCompany(id: number, companyId: number | null): void {
    this.ensureOverride(id).companyId = companyId;
    this.overlay = undefined;
  }

  /** Ids of every record changed or created since seeding. */
  changedIds(): IterableIterator<number> {
    return this.overrides.keys();
  }

  /** The update count of a record, which seeds its next update's values. */
  versionOf(id: number): number {
    return this.overrides.get(id)?.version ?? 0;
  }

  /** Archives a live record at time `at` (HubSpot also bumps updatedAt). */
  archive(id: number, at: number): void {
    const override = this.ensureOverride(id);
    override.archivedAt = at;
    override.updatedAt = at;
    this.overlay = undefined;
    this.archived = undefined;
  }

  /**
   * Creates a record at time `at`. Without `props` it is generated like a seeded one; with `props` it holds
   * exactly those (an API create). Returns the new id.
   */
  create(at: number, props?: PropertyValues, companyId?: number | null): number {
    const id = this.nextId;
    this.createdCount += 1;
    this.overrides.set(id, {
      props: props ? { ...props } : {},
      updatedAt: at,
      createdAt: at,
      version: 0,
      ...(props ? { fromApi: true } : {}),
      ...(companyId !== undefined ? { companyId } : {}),
    });
    this.overlay = undefined;
    return id;
  }

  private ensureOverride(id: number): Override {
    let override = this.overrides.get(id);
    if (!override) {
      override = { props: {}, updatedAt: this.updatedAtOf(id), version: 0 };
      this.overrides.set(id, override);
    }
    return override;
  }

  private seededTimesOf(index: number): { createdAt: number; updatedAt: number } {
    return seededTimes(this.ctx.seed, this.type, index, this.seededCount, this.ctx.clockStart);
  }

  private seededCompanyIndexOf(index: number): number {
    return seededCompanyIndex(this.ctx.seed, this.type, index, this.ctx.seededCompanies);
  }

  private baseIndex(): { updatedAt: Float64Array; order: Int32Array } {
    if (!this.baseTimes) {
      const updatedAt = new Float64Array(this.seededCount);
      for (let index = 0; index < this.seededCount; index++)
        updatedAt[index] = this.seededTimesOf(index).updatedAt;
      const order = Int32Array.from({ length: this.seededCount }, (_, index) => index);
      order.sort((a, b) => updatedAt[a]! - updatedAt[b]! || a - b);
      this.baseTimes = { updatedAt, order };
    }
    return this.baseTimes;
  }

  private overlayIndex(): { ts: number; id: number }[] {
    this.overlay ??= [...this.overrides]
      .filter(([, override]) => override.archivedAt === undefined)
      .map(([id, override]) => ({ ts: override.updatedAt, id }))
      .sort(compareKeys);
    return this.overlay;
  }
}

function compareKeys(a: { ts: number; id: number }, b: { ts: number; id: number }): number {
  return a.ts - b.ts || a.id - b.id;
}

/** The first k in [0, n) for which `isAtOrAfter(k)` holds (it must be monotonic), else n. */
function lowerBound(n: number, isAtOrAfter: (k: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAtOrAfter(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
