import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDuckDbDestination, type DuckDbDestination } from "../../destinations/duckdb/index.ts";
import { batch, contactsTarget, record } from "../../destinations/duckdb/test-fixtures.ts";
import { createConnection } from "../../store/index.ts";
import { type Harness, startHarness } from "../test-harness.ts";

let h: Harness;
let warehouse: DuckDbDestination;
const ids = { dev: "", prod: "" };

beforeAll(async () => {
  h = await startHarness();
  // The warehouse as `npm start` has it: a destination this process writes, idle between runs.
  warehouse = await createDuckDbDestination({ path: join(h.dir, "warehouse.duckdb"), idleCloseMs: 50 });
  h.deps.warehouse = warehouse;
  const target = contactsTarget();
  await warehouse.prepare(target);
  for (const env of ["dev", "prod"] as const) {
    const connection = await createConnection(h.store.db, {
      environmentId: h.environments[env].id,
      provider: "loopback",
      sealedCredentials: "x",
    });
    ids[env] = connection.id;
    const rows = Array.from({ length: env === "dev" ? 3 : 2 }, (_, i) =>
      record({ id: `${env}-${i}`, email: `${env}-${i}@example.com` }),
    );
    await warehouse.write(batch(target, rows, connection.id));
  }
});
afterAll(async () => {
  await warehouse.close();
  await h.close();
});

describe("POST /v1/sql", () => {
  it("answers each environment with its own connections' rows only", async () => {
    const sql = "SELECT id, email, _connection_id FROM test_contacts ORDER BY id";
    const dev = await h.dev.post("/v1/sql", { body: { query: sql } });
    expect(dev.rows).toEqual([
      { id: "dev-0", email: "dev-0@example.com", _connection_id: ids.dev },
      { id: "dev-1", email: "dev-1@example.com", _connection_id: ids.dev },
      { id: "dev-2", email: "dev-2@example.com", _connection_id: ids.dev },
    ]);
    expect(dev).toMatchObject({ row_count: 3, truncated: false });
    expect(dev.columns).toEqual([
      { name: "id", type: "VARCHAR" },
      { name: "email", type: "VARCHAR" },
      { name: "_connection_id", type: "VARCHAR" },
    ]);

    const prod = await h.prod.post("/v1/sql", {
      body: { query: `SELECT count(*) AS n FROM test_contacts WHERE _connection_id = '${ids.dev}'` },
    });
    expect(prod.rows).toEqual([{ n: "0" }]);
    const prodAll = await h.prod.post("/v1/sql", { body: { query: sql } });
    expect(prodAll.rows.map((row) => row.id)).toEqual(["prod-0", "prod-1"]);
  });

  it("bounds the rows returned", async () => {
    const page = await h.dev.post("/v1/sql", {
      body: { query: "SELECT id FROM test_contacts ORDER BY id", max_rows: 2 },
    });
    expect(page).toMatchObject({ row_count: 2, truncated: true, rows: [{ id: "dev-0" }, { id: "dev-1" }] });
  });

  it.each([
    ["a write", "DELETE FROM test_contacts"],
    ["two statements", "SELECT 1; DROP TABLE test_contacts"],
    ["a file function", "SELECT * FROM read_csv('/etc/passwd')"],
    ["ATTACH", "ATTACH 'other.duckdb' AS other"],
  ])("refuses %s as a 400 problem with a hint", async (_what, query) => {
    const reply = await h.dev.request("POST", "/v1/sql", { body: { query } });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.status).toBe(400);
    expect(reply.problem).toMatchObject({
      code: "argument_invalid",
      hint: expect.stringContaining("one SELECT"),
    });
    // Nothing was written: dev's rows are all still there.
    const count = await h.dev.post("/v1/sql", { body: { query: "SELECT count(*) AS n FROM test_contacts" } });
    expect(count.rows).toEqual([{ n: "3" }]);
  });

  it("runs a few queries at once and answers 429 to more, and stops each at its timeout", async () => {
    const slow = { query: "SELECT count(*) FROM range(100000000000) a", timeout_ms: 1_500 };
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => h.dev.request("POST", "/v1/sql", { body: slow })),
    );
    const statuses = replies.map((reply) => (reply.ok ? 200 : reply.status)).sort();
    expect(statuses).toEqual([400, 400, 400, 400, 429, 429]);
    const throttled = replies.find((reply) => !reply.ok && reply.status === 429);
    expect(throttled && !throttled.ok && throttled.problem).toMatchObject({ code: "rate_limited" });
    const stopped = replies.find((reply) => !reply.ok && reply.status === 400);
    expect(stopped && !stopped.ok && stopped.problem.detail).toMatch(/longer than 1500 ms/);
  });

  it("answers not_found when the server has no warehouse", async () => {
    h.deps.warehouse = undefined;
    try {
      const reply = await h.dev.request("POST", "/v1/sql", { body: { query: "SELECT 1" } });
      expect(reply.ok ? 200 : reply.status).toBe(404);
    } finally {
      h.deps.warehouse = warehouse;
    }
  });
});
