import { describe, expect, it } from "vitest";
import { createTestDatabase, postgresAvailable } from "../../../test/helpers/postgres.ts";
import { tempDir } from "../../../test/helpers/temp-store.ts";
import { ConfigError } from "../../core/index.ts";
import { openWarehouse } from "./open-warehouse.ts";

const available = await postgresAvailable();

describe("openWarehouse (WAREHOUSE_URL)", () => {
  it("opens the DuckDB file when WAREHOUSE_URL is unset or empty", async () => {
    const dir = tempDir();
    try {
      for (const url of [undefined, ""]) {
        const warehouse = await openWarehouse(url, `${dir.path}/warehouse.duckdb`);
        expect(warehouse.kind).toBe("duckdb");
        await warehouse.destination.close();
      }
    } finally {
      dir.cleanup();
    }
  });

  it("refuses a URL that is not Postgres, saying what to set", async () => {
    for (const url of ["mysql://h/db", "not a url", "/tmp/file.duckdb"]) {
      const error = await openWarehouse(url, "unused").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).hint).toMatch(/postgres:\/\/user:password@host:5432\/database/);
    }
  });

  it.skipIf(!available)("opens Postgres, in the schema the URL's schema parameter names", async () => {
    const database = await createTestDatabase();
    try {
      const url = new URL(database.url);
      url.searchParams.set("schema", "analytics");
      const warehouse = await openWarehouse(url.toString(), "unused");
      try {
        if (warehouse.kind !== "postgres") throw new Error(`opened ${warehouse.kind}`);
        expect(warehouse.describe).toMatch(/schema analytics$/);
        expect(warehouse.describe).not.toContain("@");
        const [row] = await warehouse.destination.query(
          "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = 'analytics'",
        );
        expect(Number(row?.n)).toBe(1);
      } finally {
        await warehouse.destination.close();
      }
    } finally {
      await database.drop();
    }
  });
});
