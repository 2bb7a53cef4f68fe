/**
 * Test helper (not shipped behaviour): HubSpot's records reduced to id, modification time and company ids,
 * counted and checksummed in the emulator, the records cache and DuckDB, for HubSpot's own sync tests.
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { DuckDbDestination } from "../../destinations/duckdb/index.ts";
import { type Database, listRecords } from "../../store/index.ts";
import type { HubSpotEmulator, ObjectTypeName } from "./emulator/index.ts";

/** Count and checksum of a set of records, each reduced to id, modification time and company ids. */
export interface Digest {
  count: number;
  checksum: string;
}

function digest(lines: string[]): Digest {
  lines.sort();
  return { count: lines.length, checksum: createHash("sha256").update(lines.join("\n")).digest("hex") };
}

function line(id: string, updatedAtMs: number, companyIds: readonly string[] | undefined): string {
  return `${id}|${updatedAtMs}|${[...new Set(companyIds ?? [])].sort().join(",")}`;
}

/** What the emulator holds: live records of a type, as the API would return them. */
export function truthDigest(emulator: HubSpotEmulator, type: ObjectTypeName): Digest {
  const truth = emulator.groundTruth(type);
  return digest(
    truth.records.map((record) =>
      line(
        record.id,
        Date.parse(record.updatedAt),
        type === "companies" ? undefined : record.associations?.companies?.results.map((r) => r.id),
      ),
    ),
  );
}

/** What the records cache holds: live records of one stream of a connection. */
export async function cacheDigest(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
): Promise<Digest> {
  const lines: string[] = [];
  let afterPk: string | undefined;
  for (;;) {
    const page = await listRecords(db, connectionId, stream, {
      limit: 1000,
      ...(afterPk ? { afterPk } : {}),
    });
    if (page.length === 0) break;
    for (const row of page) {
      const data = JSON.parse(row.payload) as { id: string; updatedAt: string; companyIds?: string[] };
      lines.push(line(data.id, Date.parse(data.updatedAt), data.companyIds));
    }
    afterPk = page[page.length - 1]!.pk;
  }
  return digest(lines);
}

/** What the DuckDB table holds: live rows of one connection, plus how many rows share a key (must be 0). */
export async function warehouseDigest(
  warehouse: DuckDbDestination,
  table: string,
  connectionId: string,
): Promise<Digest & { duplicateKeys: number }> {
  const hasCompanies = table !== "hubspot_companies";
  const rows = await warehouse.query(
    `SELECT id, epoch_ms("updatedAt") AS ms, ${hasCompanies ? `CAST("companyIds" AS VARCHAR)` : "NULL"} AS companies
       FROM ${table} WHERE _connection_id = $1 AND NOT _deleted`,
    [connectionId],
  );
  const [dupes] = await warehouse.query(
    `SELECT count(*) - count(DISTINCT id) AS n FROM ${table} WHERE _connection_id = $1`,
    [connectionId],
  );
  return {
    ...digest(
      rows.map((row) =>
        line(
          String(row.id),
          Number(row.ms),
          row.companies ? (JSON.parse(String(row.companies)) as string[]) : undefined,
        ),
      ),
    ),
    duplicateKeys: Number(dupes?.n),
  };
}
