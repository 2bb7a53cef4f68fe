/**
 * One object type's records: the kit's seeded table with HubSpot's generated properties, its timestamps
 * mirrored into `createdate`, the last-modified property and `hs_object_id`, and the company association
 * that contacts and deals hold.
 */
import { SeededTable, type TableRecord } from "../../../emulator/table.ts";
import { OBJECT_SPECS, type ObjectSpec, type ObjectTypeName } from "./catalog.ts";
import { generateProperties, type PropertyValues, seededCompanyIndex, seededTimes } from "./generate.ts";

/** A record with every property it has, as the emulator holds it (times are epoch ms). */
export type StoredRecord = TableRecord<PropertyValues>;

/** Settings a table needs from the dataset around it. */
export interface TableContext {
  seed: number;
  clockStart: number;
  /** Seeded company count: seeded contacts and deals point at companies by index. */
  seededCompanies: number;
}

export class ObjectTable extends SeededTable<PropertyValues> {
  readonly spec: ObjectSpec;
  /** Company associations set since seeding (null = none). */
  private readonly companies = new Map<number, number | null>();

  constructor(
    readonly type: ObjectTypeName,
    seededCount: number,
    private readonly ctx: TableContext,
  ) {
    const spec = OBJECT_SPECS[type];
    const companyIndexOf = (index: number) => seededCompanyIndex(ctx.seed, type, index, ctx.seededCompanies);
    super({
      idBase: spec.idBase,
      seededCount,
      seededTimes: (index) => seededTimes(ctx.seed, type, index, seededCount, ctx.clockStart),
      generate: (index, id, times) =>
        generateProperties({
          seed: ctx.seed,
          type,
          index,
          id: String(id),
          ...times,
          companyIndex: companyIndexOf(index),
        }),
      derive: (properties, record) => {
        properties.createdate = new Date(record.createdAt).toISOString();
        properties[spec.modifiedProperty] = new Date(record.updatedAt).toISOString();
        properties.hs_object_id = String(record.id);
      },
    });
    this.spec = spec;
  }

  /** The associated company's id (contacts and deals), or undefined when there is none. */
  companyIdOf(id: number): number | undefined {
    const set = this.companies.get(id);
    if (set !== undefined) return set ?? undefined;
    if (this.isExplicit(id)) return undefined;
    const companyIndex = seededCompanyIndex(
      this.ctx.seed,
      this.type,
      id - this.idBase,
      this.ctx.seededCompanies,
    );
    return companyIndex < 0 ? undefined : OBJECT_SPECS.companies.idBase + companyIndex;
  }

  /**
   * Points a contact or deal at another company (null = none) without touching its modification time:
   * HubSpot does not bump a record's last-modified date when only its associations change.
   */
  setCompany(id: number, companyId: number | null): void {
    this.companies.set(id, companyId);
  }

  /** Creates a record (see the kit's `create`), optionally associated with a company (null = none). */
  override create(at: number, props?: PropertyValues, companyId?: number | null): number {
    const id = super.create(at, props);
    if (companyId !== undefined) this.companies.set(id, companyId);
    return id;
  }
}
