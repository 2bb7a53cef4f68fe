/**
 * The Postgres budget store on a real server: updates of one key that arrive together in one process are
 * applied in call order, each seeing the state the one before left, and go to the database together (one
 * read and one write per batch, not per update); a step that writes nothing leaves the row as it was.
 */
import { describe, expect, it } from "vitest";
import { postgresAvailable, postgresStoreForTests } from "../../../test/helpers/postgres.ts";
import { PostgresBudgetStore } from "./postgres-store.ts";

const available = await postgresAvailable();

describe.skipIf(!available)("PostgresBudgetStore", () => {
  const postgres = postgresStoreForTests();

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
