/**
 * The emulated company's data: one seeded table per entity (persons, organizations, deals, activities) and
 * its users, on a logical clock that only moves forward. Writes through the API and the changes control
 * (updates, creations, deletions over time) go through here; records leave shaped as API v2 returns them.
 */
import * as kit from "../../../emulator/index.ts";
import type { Population } from "./catalog.ts";
import { ENTITIES, type Entity, generateValues, updatedValues, type Values } from "./catalog.ts";

const DAY = 86_400_000;
const FIRST_NAMES = ["Mia", "Noah", "Liv", "Omar", "Zoe", "Ivan"];
export const CLOCK_START = Date.UTC(2026, 0, 1);

export type DatasetOptions = { seed: number; counts?: Partial<Record<Entity | "users", number>> };

export const DEFAULT_COUNTS = { users: 6, organizations: 120, persons: 400, deals: 250, activities: 300 };

export type User = { name: string; email: string; active_flag: boolean; is_admin: boolean };

/** Changes to make (per entity, default every entity), `stepMs` apart on the clock (default 1000). */
export type ChangeRequest = Partial<Record<"updates" | "creates" | "deletes" | "stepMs", number>> & {
  entities?: readonly Entity[];
};

/** `2026-01-01T00:00:00Z`: API v2 times are RFC 3339, to the second. */
export const rfc3339 = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
/** `2026-01-01 00:00:00`: API v1 times (UTC). */
export const v1Time = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

export class Dataset {
  readonly seed: number;
  readonly counts: Record<Entity | "users", number>;
  tables!: Record<Entity, kit.SeededTable<Values>>;
  users!: kit.SeededTable<User>;
  readonly clock = new kit.LogicalClock(CLOCK_START);
  private batch = 0;

  constructor(options: DatasetOptions) {
    this.seed = options.seed;
    this.counts = { ...DEFAULT_COUNTS, ...options.counts };
    this.reset();
  }

  /** Back to the seeded data and the clock's start. */
  reset(): void {
    const { seed, counts } = this;
    // What records point at (owners, organizations, persons, deals): at least one of each.
    const population = Object.fromEntries(
      (["users", "organizations", "persons", "deals"] as const).map((name) => [
        name,
        Math.max(1, counts[name]),
      ]),
    ) as Population;
    const times = (key: number) => (index: number) => {
      const createdAt = CLOCK_START - kit.intBetween(2, 365, seed, key, index, 90) * DAY;
      return { createdAt, updatedAt: createdAt + kit.intBetween(0, DAY, seed, key, index, 91) };
    };
    const table = (entity: Entity, key: number) =>
      new kit.SeededTable<Values>({
        seededCount: counts[entity],
        seededTimes: times(key),
        generate: (index, _id, { createdAt }) => generateValues(entity, seed, index, createdAt, population),
      });
    const tables = ENTITIES.map((entity, i) => [entity, table(entity, i + 1)]);
    this.tables = Object.fromEntries(tables) as Record<Entity, kit.SeededTable<Values>>;
    this.users = new kit.SeededTable<User>({
      seededCount: counts.users,
      seededTimes: times(9),
      // User 1 owns the API token; the last user has been deactivated.
      generate: (index) => {
        const [name, email] = [
          `${kit.pick(FIRST_NAMES, seed, 9, index)} User${index + 1}`,
          `user${index + 1}@example.test`,
        ];
        return { name, email, active_flag: index === 0 || index < counts.users - 1, is_admin: index === 0 };
      },
    });
    this.clock.reset();
    this.batch = 0;
  }

  /** A record as API v2 returns it. */
  serialize(entity: Entity, record: kit.TableRecord<Values>): Record<string, unknown> {
    return {
      id: record.id,
      ...record.fields,
      add_time: rfc3339(record.createdAt),
      update_time: rfc3339(record.updatedAt),
      is_deleted: record.archivedAt !== undefined,
      ...(entity === "activities" ? {} : { custom_fields: record.fields.custom_fields ?? {} }),
    };
  }

  /** The live record, or undefined (never created, or deleted). */
  live(entity: Entity, id: number): kit.TableRecord<Values> | undefined {
    const table = this.tables[entity];
    return table.isLive(id) ? table.get(id) : undefined;
  }

  /** Creates a record through the API (exactly the given values) one second later on the clock. */
  create(entity: Entity, values: Values): number {
    return this.tables[entity].create(this.clock.tick(1000), withNameParts(entity, values));
  }

  /** Updates a live record; custom field values are merged, not replaced. */
  update(entity: Entity, id: number, values: Values): void {
    const current = this.tables[entity].get(id)!.fields;
    const merged: Values = withNameParts(entity, values);
    if (values.custom_fields) merged.custom_fields = { ...current.custom_fields, ...values.custom_fields };
    this.tables[entity].update(id, merged, this.clock.tick(1000));
  }

  remove(entity: Entity, id: number): void {
    this.tables[entity].archive(id, this.clock.tick(1000));
  }

  /** Updates, creations and deletions over time, per entity (default: every entity). */
  change(request: ChangeRequest): Partial<Record<Entity, kit.ChangeResult>> {
    const batch = ++this.batch;
    const results: Partial<Record<Entity, kit.ChangeResult>> = {};
    for (const entity of request.entities ?? ENTITIES) {
      results[entity] = kit.applyChanges(
        this.tables[entity],
        {
          updates: request.updates,
          creates: request.creates,
          archives: request.deletes,
          stepMs: request.stepMs,
        },
        {
          seed: this.seed + ENTITIES.indexOf(entity),
          batch,
          tick: (stepMs) => this.clock.tick(stepMs),
          updatedFields: (id, version) => updatedValues(entity, id, version),
        },
      );
    }
    return results;
  }

  /** Records changed (or deleted) at or after `since`, deleted ones included. */
  changedSince(entity: Entity, since: number): kit.TableRecord<Values>[] {
    const table = this.tables[entity];
    const ids = Array.from({ length: table.totalCount }, (_, i) => table.idBase + i);
    return ids.filter((id) => table.updatedAtOf(id) >= since).map((id) => table.get(id)!);
  }

  /** Every live record of an entity as v2 returns it, and the ids deleted so far. */
  groundTruth(entity: Entity): { records: Record<string, unknown>[]; deletedIds: number[] } {
    const table = this.tables[entity];
    return {
      records: [...table.liveIds()].map((id) => this.serialize(entity, table.get(id)!)),
      deletedIds: [...table.archivedIds()],
    };
  }
}

/** Pipedrive splits a person's `name` it is given into `first_name` (the first word) and `last_name` (the rest). */
function withNameParts(entity: Entity, values: Values): Values {
  if (entity !== "persons" || typeof values.name !== "string") return { ...values };
  const [first, ...rest] = values.name.trim().split(/\s+/);
  return { ...values, first_name: first ?? null, last_name: rest.length > 0 ? rest.join(" ") : null };
}
