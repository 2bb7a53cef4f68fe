import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWorkspace } from "../../src/app/workspace.ts";
import { createDuckDbDestination, type DuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { batch, contactsTarget, record } from "../../src/destinations/duckdb/test-fixtures.ts";
import { createConnection, ensureEnvironment } from "../../src/store/index.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp-store.ts";

let dir: ReturnType<typeof tempDir>;
let dataDir: string;
/** Held for the whole file, as a running `npm start` holds its warehouse destination. */
let warehouse: DuckDbDestination;
const ids = { dev: "", prod: "" };

beforeAll(async () => {
  dir = tempDir();
  dataDir = join(dir.path, "data");
  const workspace = await openWorkspace({ dataDir });
  warehouse = await createDuckDbDestination({ path: workspace.warehousePath, idleCloseMs: 100 });
  const target = contactsTarget();
  await warehouse.prepare(target);
  for (const env of ["dev", "prod"] as const) {
    const environment = await ensureEnvironment(workspace.store.db, env);
    const connection = await createConnection(workspace.store.db, {
      environmentId: environment.id,
      provider: "fake",
      sealedCredentials: "x",
    });
    ids[env] = connection.id;
    await warehouse.write(
      batch(target, [record({ id: `${env}-1`, email: `${env}@example.com`, visits: 7 })], connection.id),
    );
  }
  await workspace.close();
});
afterAll(async () => {
  await warehouse.close();
  dir.cleanup();
});

const sql = (query: string, ...flags: string[]) => runCli(["sql", query, "--data-dir", dataDir, ...flags]);

describe("switchyard sql", () => {
  it("prints a table of the environment's rows while another process has the warehouse destination open", async () => {
    const result = await sql("SELECT id, email, visits FROM test_contacts ORDER BY id");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "id     email            visits",
        "-----  ---------------  ------",
        "dev-1  dev@example.com  7",
        "(1 row)",
        "",
      ].join("\n"),
    );
  });

  it("answers another environment with its rows only, as JSON", async () => {
    const result = await sql(
      "SELECT id, _connection_id FROM test_contacts",
      "--environment",
      "prod",
      "--json",
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      columns: [
        { name: "id", type: "VARCHAR" },
        { name: "_connection_id", type: "VARCHAR" },
      ],
      rows: [{ id: "prod-1", _connection_id: ids.prod }],
      row_count: 1,
      truncated: false,
    });
  });

  it("refuses a write with exit code 2 and a hint, and the warehouse keeps its rows", async () => {
    const result = await sql("DELETE FROM test_contacts");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Only a single SELECT is allowed/);
    expect(result.stderr).toMatch(/hint: {2}Send one SELECT/);
    expect(await warehouse.query("SELECT count(*)::INTEGER AS n FROM test_contacts")).toEqual([{ n: 2 }]);
  });

  it("names the environments there are when asked for one that is not", async () => {
    const result = await sql("SELECT 1", "--environment", "staging");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('There is no environment "staging"');
    expect(result.stderr).toMatch(/Use one of: .*dev.*prod/);
  });
});
