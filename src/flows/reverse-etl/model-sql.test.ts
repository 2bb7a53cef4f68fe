/** The diff's queries: keys as text in byte order, a hash that tells null, '' and 'null' apart, the join. */
import { DuckDBInstance } from "@duckdb/node-api";
import { expect, it } from "vitest";
import {
  CHANGE_COLUMN,
  DIFF_COLUMNS,
  modelChangesSql,
  modelDiffSql,
  modelKeysSql,
  repeatedKeySql,
  SNAPSHOT_TABLE,
} from "./model-sql.ts";

async function inDuckDb<T>(work: (run: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>) {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return await work(async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson());
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

it("sorts by the key as text and hashes only the sent columns, null apart from '' and 'null'", async () => {
  await inDuckDb(async (run) => {
    const model =
      "SELECT * FROM (VALUES (10, NULL, 'x'), (9, '', 'y'), (1, 'null', 'z'), (2, '', 'other')) AS t(id, a, unsent)";
    const rows = await run(modelDiffSql(model, "id", ["a"]));
    expect(rows.map((row) => row[DIFF_COLUMNS.pk])).toEqual(["1", "10", "2", "9"]);
    const hash = new Map(rows.map((row) => [row[DIFF_COLUMNS.pk], row[DIFF_COLUMNS.hash]]));
    expect(new Set([hash.get("10"), hash.get("9"), hash.get("1")]).size).toBe(3);
    // Rows 9 and 2 differ only in a column the sync does not send.
    expect(hash.get("9")).toBe(hash.get("2"));
    expect(rows[0]).toMatchObject({ id: 1, a: "null", unsent: "z" });
  });
});

it("returns only the rows that differ from the snapshot, by key in byte order, with their values", async () => {
  await inDuckDb(async (run) => {
    const model =
      "SELECT * FROM (VALUES (1, 'same'), (2, 'new value'), (3, 'added'), (10, NULL)) AS t(id, a)";
    const hashes = new Map(
      (await run(modelDiffSql(model, "id", ["a"]))).map((row) => [
        row[DIFF_COLUMNS.pk],
        row[DIFF_COLUMNS.hash],
      ]),
    );
    await run(`CREATE TABLE ${SNAPSHOT_TABLE} (pk VARCHAR, hash VARCHAR)`);
    await run(
      `INSERT INTO ${SNAPSHOT_TABLE} VALUES ('1', '${hashes.get("1")}'), ('2', 'old'), ('10', '${hashes.get("10")}'), ('4', 'x')`,
    );
    const changes = await run(modelChangesSql(model, "id", ["a"]));
    expect(changes).toEqual([
      {
        [CHANGE_COLUMN]: "changed",
        [DIFF_COLUMNS.pk]: "2",
        [DIFF_COLUMNS.hash]: hashes.get("2"),
        id: 2,
        a: "new value",
      },
      {
        [CHANGE_COLUMN]: "added",
        [DIFF_COLUMNS.pk]: "3",
        [DIFF_COLUMNS.hash]: hashes.get("3"),
        id: 3,
        a: "added",
      },
      { [CHANGE_COLUMN]: "removed", [DIFF_COLUMNS.pk]: "4", [DIFF_COLUMNS.hash]: null, id: null, a: null },
    ]);
  });
});

it("counts rows, keyed rows and distinct keys, and names the first repeated key", async () => {
  await inDuckDb(async (run) => {
    const model = "SELECT * FROM (VALUES (1), (2), (2), (NULL), ('10'), ('10')) AS t(id)";
    expect(await run(modelKeysSql(model, "id"))).toEqual([{ rows: "6", keyed: "5", distinct_keys: "3" }]);
    expect(await run(repeatedKeySql(model, "id"))).toEqual([{ k: "10" }]);
  });
});
