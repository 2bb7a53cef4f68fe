/**
 * The emulated org's data: one seeded table per object on a shared logical clock, the records as the REST
 * API renders them (system fields, compound addresses, calculated fields), and the changes over time that
 * tests and the demo apply (updates, creations, deletes).
 */
import {
  applyChanges,
  type ChangeCounts,
  intBetween,
  SeededTable,
  type TableRecord,
} from "../../../emulator/index.ts";
import { CATALOG, findObject, type ObjectCatalogEntry, type ObjectName, STAGES } from "./catalog.ts";
import { ADMIN_USER_ID, type Fields, generateFields, type OrgSize, updatedFields } from "./generate.ts";
import { fromSalesforceId, toSalesforceId } from "./ids.ts";

const DAY = 86_400_000;
/** Where the org's logical clock starts; seeded records were created in the two years before. */
export const CLOCK_START = Date.UTC(2026, 0, 1);

export const DEFAULT_ORG_SIZE: OrgSize = { accounts: 60, contacts: 250, opportunities: 120, users: 12 };

export type RecordValue = string | number | boolean | null | Record<string, string | number | boolean | null>;
/** A record as the API renders it: every field of the object, by its canonical name. */
export type RenderedRecord = Record<string, RecordValue>;

export interface ChangeRequest extends ChangeCounts {
  object: ObjectName;
}

const SIZE_KEY: Record<Exclude<ObjectName, "OpportunityStage">, keyof OrgSize> = {
  Account: "accounts",
  Contact: "contacts",
  Opportunity: "opportunities",
  User: "users",
};
/** How many seeded records an object has: the org's size, or (for the stages) Salesforce's default stages. */
const seededCount = (object: ObjectName, size: OrgSize): number =>
  object === "OpportunityStage" ? STAGES.length : size[SIZE_KEY[object]];

export class Org {
  readonly tables: ReadonlyMap<ObjectName, SeededTable<Fields>>;
  /** The logical clock (epoch ms): every change happens at a later tick. */
  clock = CLOCK_START;
  private batch = 0;

  constructor(
    readonly seed: number,
    readonly size: OrgSize,
  ) {
    this.tables = new Map(
      CATALOG.map((object) => [object.name as ObjectName, this.seededTable(object.name as ObjectName)]),
    );
  }

  private seededTable(object: ObjectName): SeededTable<Fields> {
    const { seed, size } = this;
    const salt = CATALOG.findIndex((entry) => entry.name === object) + 1;
    return new SeededTable<Fields>({
      seededCount: seededCount(object, size),
      seededTimes: (index) => {
        // The first user exists before anything else: it created the org.
        const createdAt =
          CLOCK_START -
          (object === "User" && index === 0 ? 730 : intBetween(2, 700, seed, index, salt)) * DAY;
        return { createdAt, updatedAt: createdAt + intBetween(0, DAY, seed, index, salt, 2) };
      },
      generate: (index) => generateFields(object, seed, index, size),
    });
  }

  table(object: ObjectName): SeededTable<Fields> {
    return this.tables.get(object)!;
  }

  /** Moves the clock on and returns the new time. */
  tick(stepMs = 1000): number {
    this.clock += Math.max(1, stepMs);
    return this.clock;
  }

  /** The table id behind a Salesforce id of this object; undefined when it names no record ever created. */
  numberOf(object: ObjectCatalogEntry, id: string): number | undefined {
    const n = fromSalesforceId(object.keyPrefix, id);
    return n !== undefined && this.table(object.name as ObjectName).indexOf(n) !== undefined ? n : undefined;
  }

  /** Whether a Salesforce id names a live record of `objectName`. */
  isLiveId(objectName: string, id: string): boolean {
    const object = findObject(objectName);
    if (!object) return false;
    const n = this.numberOf(object, id);
    return n !== undefined && this.table(object.name as ObjectName).isLive(n);
  }

  /** A record with every field of its object, as the API shows it. */
  render(object: ObjectCatalogEntry, record: TableRecord<Fields>): RenderedRecord {
    const out: RenderedRecord = {};
    const fields = record.fields;
    for (const field of object.allFields) {
      switch (field.name) {
        case "Id":
          out.Id = toSalesforceId(object.keyPrefix, record.id);
          continue;
        case "IsDeleted":
          out.IsDeleted = record.archivedAt !== undefined;
          continue;
        case "CreatedDate":
          out.CreatedDate = formatDateTime(record.createdAt);
          continue;
        case "LastModifiedDate":
        case "SystemModstamp":
          out[field.name] = formatDateTime(record.updatedAt);
          continue;
        case "CreatedById":
        case "LastModifiedById":
          out[field.name] = ADMIN_USER_ID;
          continue;
      }
      if (field.type === "address") {
        const prefix = object.addresses[field.name]!;
        out[field.name] = {
          street: fields[`${prefix}Street`] ?? null,
          city: fields[`${prefix}City`] ?? null,
          state: fields[`${prefix}State`] ?? null,
          postalCode: fields[`${prefix}PostalCode`] ?? null,
          country: fields[`${prefix}Country`] ?? null,
        };
      } else if (field.name === "Name" && field.calculated) {
        out.Name = [fields.FirstName, fields.LastName].filter((part) => part).join(" ");
      } else if (field.name === "IsClosed" && field.calculated) {
        out.IsClosed = String(fields.StageName).startsWith("Closed");
      } else if (field.name === "IsWon" && field.calculated) {
        out.IsWon = fields.StageName === "Closed Won";
      } else {
        out[field.name] = fields[field.name] ?? (field.type === "boolean" ? false : null);
      }
    }
    return out;
  }

  /** Every record of the object ever created (deleted ones included), in id order. */
  *allRecords(object: ObjectCatalogEntry): Generator<TableRecord<Fields>> {
    const table = this.table(object.name as ObjectName);
    for (let n = table.idBase; n < table.nextId; n++) yield table.get(n)!;
  }

  /** One batch of changes to an object's records (users and stages are never deleted: archives are ignored). */
  change(request: ChangeRequest) {
    const { object, ...counts } = request;
    const table = this.table(object);
    const deletable = findObject(object)!.deletable;
    const result = applyChanges(table, deletable ? counts : { ...counts, archives: 0 }, {
      seed: this.seed,
      batch: ++this.batch,
      tick: (stepMs) => this.tick(stepMs),
      updatedFields: (id, version) => updatedFields(object, this.seed, id, version),
    });
    const object_ = findObject(object)!;
    const ids = (list: number[]) => list.map((n) => toSalesforceId(object_.keyPrefix, n));
    return {
      object,
      updated: ids(result.updated),
      created: ids(result.created),
      deleted: ids(result.archived),
    };
  }
}

/** `2026-01-02T03:04:05.000+0000`: how Salesforce writes a datetime. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}
