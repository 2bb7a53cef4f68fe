import { type Kysely, sql } from "kysely";
import type { Database } from "../store/index.ts";
import { SEALED_COLUMNS, type SealedColumn } from "../store/sealed-columns.ts";
import type { Vault } from "./index.ts";

export interface ResealReport {
  /** Secrets re-sealed under the current key. */
  resealed: number;
  /** Secrets already under the current key. */
  current: number;
  /** Secrets changed by someone else while we worked; the next pass picks them up if needed. */
  skipped: number;
}

const PAGE = 500;

/**
 * Re-seals every secret in every sealed column under the vault's current key, row by row, without
 * locking anything: each update only applies if the row still holds the value that was read, so a
 * concurrent writer never loses its change. Safe to run again at any time.
 */
export async function resealSecrets(db: Kysely<Database>, vault: Vault): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, current: 0, skipped: 0 };
  for (const target of SEALED_COLUMNS) await resealColumn(db, vault, target, report);
  return report;
}

async function resealColumn(db: Kysely<Database>, vault: Vault, target: SealedColumn, report: ResealReport) {
  const table = sql.table(target.table);
  const key = sql.ref(target.key);
  const column = sql.ref(target.column);
  let after = "";
  for (;;) {
    const { rows } = await sql<{ k: string; v: string | null }>`
      SELECT ${key} AS k, ${column} AS v FROM ${table} WHERE ${key} > ${after} ORDER BY ${key} LIMIT ${PAGE}`.execute(
      db,
    );
    if (rows.length === 0) return;
    for (const row of rows) {
      if (row.v === null || row.v === "") continue;
      if (vault.isCurrent(row.v)) {
        report.current += 1;
        continue;
      }
      const resealed = vault.seal(vault.open(row.v));
      const result = await sql`
        UPDATE ${table} SET ${column} = ${resealed} WHERE ${key} = ${row.k} AND ${column} = ${row.v}`.execute(
        db,
      );
      if (Number(result.numAffectedRows ?? 0) === 1) report.resealed += 1;
      else report.skipped += 1;
    }
    after = rows[rows.length - 1]!.k;
  }
}
