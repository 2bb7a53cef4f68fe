import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, expect, it } from "vitest";
import { upsertStaged } from "./append-staged.ts";
import { buildStagedRows, STAGED, STAGING } from "./staging-rows.ts";
import { batch, contactsTarget, record } from "./test-fixtures.ts";

let instance: DuckDBInstance;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
});

afterAll(() => {
  instance.closeSync();
});

const stagingTables = async (connection: Awaited<ReturnType<DuckDBInstance["connect"]>>) => {
  const reader = await connection.runAndReadAll(
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = '${STAGING.catalog}' AND table_name = '${STAGING.table}'`,
  );
  return Number(reader.getRowObjects()[0]?.n);
};

it("stages, upserts and drops the staging table inside the batch's transaction, batch after batch", async () => {
  const connection = await instance.connect();
  await connection.run("CREATE TABLE copied (pk VARCHAR, doc VARCHAR)");
  const upsert = `INSERT INTO copied SELECT ${STAGED.pk}, ${STAGED.doc} FROM ${STAGING.catalog}.${STAGING.schema}.${STAGING.table}`;
  for (const round of [0, 1, 2]) {
    const records = Array.from({ length: 3_000 }, (_, i) =>
      record({ id: `r${round}-${i}`, email: "x".repeat(500) }),
    );
    await connection.run("BEGIN TRANSACTION");
    await upsertStaged(connection, {
      before: [],
      rows: buildStagedRows(batch(contactsTarget(), records)),
      upsert,
    });
    // Gone before the commit, so the replaced rows are not kept for a rollback beside the next batch's.
    expect(await stagingTables(connection)).toBe(0);
    await connection.run("COMMIT");
  }
  const reader = await connection.runAndReadAll(
    "SELECT count(*)::INTEGER AS n, count(DISTINCT pk)::INTEGER AS keys FROM copied",
  );
  expect(reader.getRowObjects()[0]).toEqual({ n: 9_000, keys: 9_000 });
  connection.closeSync();
});

it("leaves nothing behind when the upsert fails (the caller rolls back)", async () => {
  const connection = await instance.connect();
  await connection.run("BEGIN TRANSACTION");
  const rows = buildStagedRows(batch(contactsTarget(), [record({ id: "a" })]));
  await expect(
    upsertStaged(connection, { before: [], rows, upsert: "SELECT error('boom')" }),
  ).rejects.toThrow(/boom/);
  await connection.run("ROLLBACK");
  expect(await stagingTables(connection)).toBe(0);
  connection.closeSync();
});
