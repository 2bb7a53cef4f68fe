/**
 * The emulated account's data: one table per object type, a logical clock, properties added at runtime,
 * and deterministic changes over time. Everything here is a pure function of the seed and the calls made.
 */

import { applyChanges, type ChangeCounts, ChangePicker, LogicalClock } from "../../../emulator/changes.ts";
import { hash32, keyOf } from "../../../emulator/random.ts";
import type { SeededTable } from "../../../emulator/table.ts";
import {
  associationKind,
  definitionOf,
  OBJECT_SPECS,
  OBJECT_TYPES,
  type ObjectTypeName,
  type PropertyDefinition,
  type PropertySpec,
} from "./catalog.ts";
import { DEFAULT_CLOCK_START, type PropertyValues, updatedProperties } from "./generate.ts";
import { DEFAULT_OWNER_COUNT, type OwnerFields, ownerTable, updatedOwnerFields } from "./owners.ts";
import { PropertyGroups } from "./property-groups.ts";
import { ObjectTable, type StoredRecord } from "./table.ts";

export interface DatasetOptions {
  seed: number;
  counts?: Partial<Record<ObjectTypeName, number>>;
  /** How many owners (users) the account has (default 8). */
  owners?: number;
  /** Where the logical clock starts (epoch ms); all seeded times are before it. */
  clockStart?: number;
}

export const DEFAULT_COUNTS: Readonly<Record<ObjectTypeName, number>> = {
  contacts: 1000,
  companies: 200,
  deals: 500,
};

/** A batch of deterministic changes to one object type. */
export interface MutationRequest {
  type: ObjectTypeName;
  updates?: number;
  archives?: number;
  creates?: number;
  /**
   * Contacts or deals whose company association changes (to another live company, or to none). As in
   * HubSpot, this does not move their modification time.
   */
  reassociations?: number;
  /**
   * Spacing of the changes' modification times in ms (default 1000). 0 gives every change in the batch
   * the same timestamp, which is how tests provoke many records sharing one lastmodifieddate.
   */
  stepMs?: number;
}

export interface MutationResult {
  type: ObjectTypeName;
  updated: string[];
  archived: string[];
  created: string[];
  reassociated: string[];
  /** The clock after the batch (ISO). */
  clock: string;
}

export class Dataset {
  readonly seed: number;
  readonly clockStart: number;
  readonly counts: Readonly<Record<ObjectTypeName, number>>;
  private readonly logicalClock: LogicalClock;
  private batches = 0;
  private tables!: Record<ObjectTypeName, ObjectTable>;
  private readonly ownerCount: number;
  /** The account's users (read-only through the API); changed by `mutateOwners`. */
  owners!: SeededTable<OwnerFields>;
  private added!: Record<ObjectTypeName, PropertySpec[]>;
  private reverse = new Map<string, Map<number, number[]>>();
  /** The property groups of each type; reset with the data. */
  readonly groups = new PropertyGroups();

  constructor(options: DatasetOptions) {
    this.seed = options.seed >>> 0;
    this.clockStart = options.clockStart ?? DEFAULT_CLOCK_START;
    this.counts = { ...DEFAULT_COUNTS, ...options.counts };
    this.ownerCount = options.owners ?? DEFAULT_OWNER_COUNT;
    this.logicalClock = new LogicalClock(this.clockStart);
    this.reset();
  }

  /** Back to the freshly seeded state: same seed, same counts, no changes. */
  reset(): void {
    const ctx = { seed: this.seed, clockStart: this.clockStart, seededCompanies: this.counts.companies };
    this.tables = {
      contacts: new ObjectTable("contacts", this.counts.contacts, ctx),
      companies: new ObjectTable("companies", this.counts.companies, ctx),
      deals: new ObjectTable("deals", this.counts.deals, ctx),
    };
    this.owners = ownerTable(this.seed, this.ownerCount, this.clockStart);
    this.added = { contacts: [], companies: [], deals: [] };
    this.groups.reset();
    this.reverse.clear();
    this.logicalClock.reset();
    this.batches = 0;
  }

  table(type: ObjectTypeName): ObjectTable {
    return this.tables[type];
  }

  /** The logical clock (epoch ms): the time of the latest change. */
  get clock(): number {
    return this.logicalClock.now;
  }

  /** Advances the clock by `stepMs` (at least 1) and returns the new time. */
  tick(stepMs = 1000): number {
    return this.logicalClock.tick(stepMs);
  }

  /** Declared plus added property specs of a type. */
  propertySpecs(type: ObjectTypeName): PropertySpec[] {
    return [...OBJECT_SPECS[type].properties, ...this.added[type]];
  }

  propertySpec(type: ObjectTypeName, name: string): PropertySpec | undefined {
    return this.propertySpecs(type).find((property) => property.name === name);
  }

  /** Property definitions as the properties API returns them. */
  propertyDefinitions(type: ObjectTypeName): PropertyDefinition[] {
    const spec = OBJECT_SPECS[type];
    return this.propertySpecs(type).map((property, index) => {
      const definition = definitionOf(spec, property, index);
      if (index >= spec.properties.length) {
        // Added at runtime: not HubSpot-defined, and created "now" on the logical clock.
        const at = new Date(this.clock).toISOString();
        return {
          ...definition,
          hubspotDefined: false,
          modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
          createdAt: at,
          updatedAt: at,
        };
      }
      return definition;
    });
  }

  /** Adds a custom property; existing records have no value until a later change sets one. */
  addProperty(type: ObjectTypeName, property: PropertySpec): PropertyDefinition {
    if (this.propertySpec(type, property.name)) {
      throw new Error(`Property "${property.name}" already exists on ${type}.`);
    }
    this.added[type].push({ ...property });
    return this.propertyDefinitions(type).find((definition) => definition.name === property.name)!;
  }

  /** Changes a property added at runtime (HubSpot's own definitions are read-only). */
  updateProperty(
    type: ObjectTypeName,
    name: string,
    patch: Partial<Pick<PropertySpec, "label" | "description" | "groupName" | "options">>,
  ): PropertyDefinition {
    const property = this.added[type].find((candidate) => candidate.name === name);
    if (!property) throw new Error(`${type} have no custom property "${name}".`);
    Object.assign(
      property,
      Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)),
    );
    return this.propertyDefinitions(type).find((definition) => definition.name === name)!;
  }

  /** Removes a property added at runtime; reads no longer return its values. */
  archiveProperty(type: ObjectTypeName, name: string): void {
    this.added[type] = this.added[type].filter((property) => property.name !== name);
  }

  /**
   * Applies updates, then creations, then archives, each at a later time on the logical clock, then
   * association changes (which take no time). Which records change, and how, is a pure function of the
   * seed and how many batches ran before.
   */
  mutate(request: MutationRequest): MutationResult {
    const table = this.tables[request.type];
    const batch = ++this.batches;
    const added = this.added[request.type];
    const picker = new ChangePicker(table, this.seed, batch);
    const { updated, created, archived } = applyChanges(
      table,
      request,
      {
        seed: this.seed,
        batch,
        tick: (stepMs) => this.tick(stepMs),
        updatedFields: (id, version, at) =>
          updatedProperties(this.seed, request.type, id, version, at, added),
        // Only the added properties: a generated record already has every declared one.
        createdFields: (id, at) => {
          if (added.length === 0) return undefined;
          const values = updatedProperties(this.seed, request.type, id, 0, at, added);
          return Object.fromEntries(added.map((p) => [p.name, values[p.name] ?? null]));
        },
      },
      picker,
    );
    const reassociated = this.reassociate(
      request.type,
      picker.pick(request.reassociations ?? 0, "reassociate"),
      batch,
    );
    if (created.length > 0 || archived.length > 0 || reassociated.length > 0) this.reverse.clear();
    return {
      type: request.type,
      updated: updated.map(String),
      archived: archived.map(String),
      created: created.map(String),
      reassociated: reassociated.map(String),
      clock: new Date(this.clock).toISOString(),
    };
  }

  /** New users, renamed ones and deactivated ones (`archives`), on the same clock and batches as records. */
  mutateOwners(counts: ChangeCounts): { updated: string[]; created: string[]; archived: string[] } {
    const batch = ++this.batches;
    const changed = applyChanges(this.owners, counts, {
      seed: this.seed,
      batch,
      tick: (stepMs) => this.tick(stepMs),
      updatedFields: (id, version) => updatedOwnerFields(this.seed, id, version),
    });
    const strings = (ids: number[]) => ids.map(String);
    return {
      updated: strings(changed.updated),
      created: strings(changed.created),
      archived: strings(changed.archived),
    };
  }

  /**
   * Gives each record another live company, or none (one in five), never the one it had. Contacts and deals
   * only: companies hold no company association of their own.
   */
  private reassociate(type: ObjectTypeName, ids: readonly number[], batch: number): number[] {
    if (ids.length === 0) return [];
    const companies = [...this.tables.companies.liveIds()];
    for (const id of ids) {
      const current = this.tables[type].companyIdOf(id);
      const roll = hash32(this.seed, batch, keyOf("company"), id);
      const others = companies.filter((companyId) => companyId !== current);
      const next = roll % 5 === 0 || others.length === 0 ? null : others[roll % others.length]!;
      this.setCompanyOf(type, id, next);
    }
    return [...ids];
  }

  /** Sets the company a contact or deal is associated with (null: none); its modification time stays. */
  setCompanyOf(type: ObjectTypeName, id: number, companyId: number | null): void {
    if (!associationKind(type, "companies")) {
      throw new Error(`${type} have no company association to change.`);
    }
    this.tables[type].setCompany(id, companyId);
    this.reverse.clear();
  }

  /** Creates a record through the API: exactly the given properties, optionally associated with a company. */
  createRecord(type: ObjectTypeName, props: PropertyValues, companyId?: number): StoredRecord {
    const at = this.tick();
    const id = this.tables[type].create(at, props, companyId ?? null);
    this.reverse.clear();
    return this.tables[type].get(id)!;
  }

  /** Updates a live record through the API. */
  updateRecord(type: ObjectTypeName, id: number, props: PropertyValues): StoredRecord {
    this.tables[type].update(id, props, this.tick());
    return this.tables[type].get(id)!;
  }

  /** Archives a live record through the API. */
  archiveRecord(type: ObjectTypeName, id: number): void {
    this.tables[type].archive(id, this.tick());
    this.reverse.clear();
  }

  /** Live records of a type, counted without generating them. */
  liveCount(type: ObjectTypeName): number {
    return this.tables[type].liveCount;
  }

  /**
   * Ids of live `to` records associated with record `id` of type `from`, ascending.
   * Contacts and deals hold their company; the reverse direction uses an index built on demand.
   */
  associatedIds(from: ObjectTypeName, id: number, to: ObjectTypeName): number[] {
    if (!associationKind(from, to)) return [];
    if (to === "companies") {
      const companyId = this.tables[from].companyIdOf(id);
      return companyId !== undefined && this.tables.companies.isLive(companyId) ? [companyId] : [];
    }
    return (this.reverseIndex(to).get(id) ?? []).filter((otherId) => this.tables[to].isLive(otherId));
  }

  private reverseIndex(type: ObjectTypeName): Map<number, number[]> {
    let index = this.reverse.get(type);
    if (!index) {
      index = new Map();
      const table = this.tables[type];
      for (let id = table.spec.idBase; id < table.nextId; id++) {
        const companyId = table.companyIdOf(id);
        if (companyId === undefined) continue;
        const list = index.get(companyId);
        if (list) list.push(id);
        else index.set(companyId, [id]);
      }
      this.reverse.set(type, index);
    }
    return index;
  }

  /** Object types in a stable order, for callers iterating everything. */
  get types(): readonly ObjectTypeName[] {
    return OBJECT_TYPES;
  }
}
