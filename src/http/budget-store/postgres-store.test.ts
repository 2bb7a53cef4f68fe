/**
 * The Postgres budget store on a real server: updates of one key that arrive together in one process are
 * applied in call order, each seeing the state the one before left, and go to the database together; a
 * change of a row this process wrote last is one statement; a row another process changed meanwhile is
 * read again, so no change is lost and no answer comes from a stale row.
 */
import { describe, expect, it } from "vitest";
import { postgresAvailable, postgresStoreForTests } from "../../../test/helpers/postgres.ts";
import { PostgresBudgetStore } from "./postgres-store.ts";

const available = await postgresAvailable();

describe.skipIf(!available)("PostgresBudgetStore", () => {
  const postgres = postgresStoreForTests();

  /** A store on its own view of the database that counts the statements it sends. */
  function countedStore() {
    const counter = { statements: 0 };
    const counted = postgres.store.db.withPlugin({
      transformQuery: (args) => {
        counter.statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    return { budgets: new PostgresBudgetStore(counted), counter };
  }
  const increment = (n: number | undefined) => ({ state: (n ?? 0) + 1, result: (n ?? 0) + 1 });
  const peek = (n: number | undefined) => ({ result: n ?? -1 });

  it("writes a change of a row it wrote last with one statement", async () => {
    const { budgets, counter } = countedStore();
    for (let n = 1; n <= 50; n++)
      expect(await budgets.update("budget:one-by-one", 60_000, increment)).toBe(n);
    // The first change reads (no row known yet) and inserts; each of the 49 after it is one UPDATE.
    expect(counter.statements).toBe(51);
  });

  it("loses no change and answers from no stale row when another process writes the same key", async () => {
    const a = countedStore();
    const b = countedStore();
    for (let n = 1; n <= 40; n += 2) {
      expect(await a.budgets.update("budget:shared", 60_000, increment)).toBe(n);
      expect(await b.budgets.update("budget:shared", 60_000, increment)).toBe(n + 1);
      // A's remembered row is stale (B wrote after it): a step that writes nothing must not be answered from it.
      expect(await a.budgets.update("budget:shared", 60_000, peek)).toBe(n + 1);
    }
  });

  it("applies concurrent updates of a key in order, together", async () => {
    const { store } = postgres;
    // Counts the statements the store sends.
    let statements = 0;
    const counted = store.db.withPlugin({
      transformQuery: (args) => {
        statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const budgets = new PostgresBudgetStore(counted);
    const increment = (n: number | undefined) => ({ state: (n ?? 0) + 1, result: (n ?? 0) + 1 });
    const results = await Promise.all(
      Array.from({ length: 100 }, () => budgets.update<number, number>("budget:a", 60_000, increment)),
    );
    expect(results).toEqual(Array.from({ length: 100 }, (_, n) => n + 1));
    // A read-only step sees the last state and writes nothing.
    expect(await budgets.update<number, number>("budget:a", 60_000, (n) => ({ result: n ?? -1 }))).toBe(100);
    // One read and one write per batch: far fewer than the two per update it took one at a time.
    expect(statements).toBeLessThan(50);
  });
});
