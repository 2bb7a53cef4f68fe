import { ConfigError } from "../../core/index.ts";
import { createDuckDbDestination, type DuckDbDestination } from "../../destinations/duckdb/index.ts";
import { createPostgresDestination, type PostgresDestination } from "../../destinations/postgres/index.ts";

/** The warehouse a process writes: the DuckDB file (the default) or a Postgres database; `describe` says where. */
export type Warehouse =
  | { kind: "duckdb"; destination: DuckDbDestination; describe: string }
  | { kind: "postgres"; destination: PostgresDestination; describe: string };

/**
 * Opens the warehouse `WAREHOUSE_URL` names (docs/warehouse.md): unset or empty, the DuckDB file at
 * `duckdbPath`; `postgres://…` (or `postgresql://…`), that database, its tables in the schema of the URL's
 * `schema` parameter (default switchyard_warehouse). Anything else is a ConfigError naming what works.
 */
export async function openWarehouse(url: string | undefined, duckdbPath: string): Promise<Warehouse> {
  if (!url) {
    const destination = await createDuckDbDestination({ path: duckdbPath });
    return { kind: "duckdb", destination, describe: duckdbPath };
  }
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || !["postgres:", "postgresql:"].includes(parsed.protocol)) {
    throw new ConfigError(
      "WAREHOUSE_URL is not a Postgres connection string.",
      "Set it to postgres://user:password@host:5432/database (optionally ?schema=name), or leave it unset for the DuckDB file.",
    );
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  const destination = await createPostgresDestination({
    connectionString: parsed.toString(),
    ...(schema ? { schema } : {}),
  });
  const where = `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  return { kind: "postgres", destination, describe: `${where}, schema ${destination.schema}` };
}
