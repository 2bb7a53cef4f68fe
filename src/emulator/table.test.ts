/**
 * The seeded table: generated records, changes laid over them, ids and times that only grow, and the
 * modification-time order a "changed since" read walks.
 */
import { describe, expect, it } from "vitest";
import { intBetween } from "./random.ts";
import { SeededTable } from "./table.ts";

interface Person {
  name: string;
  active: boolean;
  updated?: string;
}

const SEED = 9;
const START = Date.UTC(2026, 0, 1);

function people(seededCount = 20) {
  return new SeededTable<Person>({
    idBase: 100,
    seededCount,
    seededTimes: (index) => {
      const createdAt = START - 1_000_000 + index * 1000;
      return { createdAt, updatedAt: createdAt + intBetween(0, 500_000, SEED, index) };
    },
    generate: (index) => ({ name: `Person ${index}`, active: true }),
    derive: (fields, record) => {
      fields.updated = new Date(record.updatedAt).toISOString();
    },
  });
}

const byModified = (table: SeededTable<Person>, descending = false, from?: number, to?: number) => [
  ...table.liveIdsByModified(descending, from, to),
];

describe("SeededTable", () => {
  it("generates seeded records from their index, the same every time", () => {
    const table = people();
    expect(table.get(105)).toMatchObject({ id: 105, fields: { name: "Person 5", active: true } });
    expect(table.get(105)).toEqual(people().get(105));
    expect(table.get(99)).toBeUndefined();
    expect(table.get(120)).toBeUndefined();
    expect([...table.liveIds()]).toHaveLength(20);
  });

  it("orders live ids by modification time, then id, both ways and within a range", () => {
    const table = people();
    const ascending = byModified(table);
    const times = ascending.map((id) => table.updatedAtOf(id));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(byModified(table, true)).toEqual([...ascending].reverse());
    const from = times[5]!;
    const to = times[12]!;
    expect(byModified(table, false, from, to)).toEqual(ascending.slice(5, 13));
  });

  it("lays updates over the generated fields, moves the record to the end of the order and counts versions", () => {
    const table = people();
    const first = byModified(table)[0]!;
    const later = START + 10_000;
    table.update(first, { active: false }, later);
    expect(table.get(first)).toMatchObject({
      fields: { name: `Person ${first - 100}`, active: false, updated: new Date(later).toISOString() },
      updatedAt: later,
    });
    expect(table.versionOf(first)).toBe(1);
    expect(byModified(table).at(-1)).toBe(first);
    expect([...table.changedIds()]).toEqual([first]);
  });

  it("archives records out of the live views, and creates new ones after the last id", () => {
    const table = people();
    table.archive(103, START + 1);
    expect(table.isLive(103)).toBe(false);
    expect([...table.archivedIds()]).toEqual([103]);
    expect(table.liveCount).toBe(19);
    expect(byModified(table)).not.toContain(103);

    const generated = table.create(START + 2);
    const explicit = table.create(START + 3, { name: "Ada", active: true });
    expect([generated, explicit]).toEqual([120, 121]);
    expect(table.get(generated)?.fields.name).toBe("Person 20");
    expect(table.get(explicit)).toMatchObject({ fields: { name: "Ada" }, createdAt: START + 3 });
    expect(table.isExplicit(explicit)).toBe(true);
    expect(byModified(table).slice(-2)).toEqual([generated, explicit]);
  });
});
