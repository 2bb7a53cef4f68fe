/** The diff query: keys as text in byte order, and a hash that tells null, '' and 'null' apart. */
import { DuckDBInstance } from "@duckdb/node-api";
import { expect, it } from "vitest";
import { DIFF_COLUMNS, modelDiffSql } from "./model-sql.ts";

it("sorts by the key as text and hashes only the sent columns, null apart from '' and 'null'", async () => {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const model =
      "SELECT * FROM (VALUES (10, NULL, 'x'), (9, '', 'y'), (1, 'null', 'z'), (2, '', 'other')) AS t(id, a, unsent)";
    const reader = await connection.runAndReadAll(modelDiffSql(model, "id", ["a"]));
    const rows = reader.getRowObjectsJson();
    expect(rows.map((row) => row[DIFF_COLUMNS.pk])).toEqual(["1", "10", "2", "9"]);
    const hash = new Map(rows.map((row) => [row[DIFF_COLUMNS.pk], row[DIFF_COLUMNS.hash]]));
    expect(new Set([hash.get("10"), hash.get("9"), hash.get("1")]).size).toBe(3);
    // Rows 9 and 2 differ only in a column the sync does not send.
    expect(hash.get("9")).toBe(hash.get("2"));
    expect(rows[0]).toMatchObject({ id: 1, a: "null", unsent: "z" });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
