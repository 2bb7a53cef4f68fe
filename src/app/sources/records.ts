/**
 * A source's records: pushed by the product in batches (`PUT /v1/sources/{name}/records`), idempotent by
 * primary key, with deletes, and paged back in key order.
 *
 * Guarantees:
 * - A batch is checked whole before anything is stored: a record without its primary key, or two records
 *   with one key, refuse the batch (request_invalid naming the record) and store nothing.
 * - A record is stored with the hash of its canonical JSON (key order does not matter): the same record sent
 *   again changes nothing, not even its `updated_at`, and starts no run.
 * - A batch lands in one transaction; when it changed anything, the source's embedded syncs are due soon
 *   (debounced: many pushes in a row give one run).
 */
import { RequestInvalidError, SwitchyardError } from "../../core/index.ts";
import { canonicalJson } from "../../engine/canonical-json.ts";
import { hashJson } from "../../engine/prepare-records.ts";
import type { PushInput } from "../../flows/embedded/definitions.ts";
import { type EmbeddedDb, embeddedDb, hashesOf, readRecordsPage } from "../../flows/embedded/store.ts";
import { valueAt } from "../../flows/reverse-etl/mapping.ts";
import { scheduleSoon } from "./due.ts";
import { type SourceDeps, sourceRow } from "./sources.ts";

export interface PushResult {
  /** Records new to the source. */
  created: number;
  /** Records whose content changed. */
  updated: number;
  /** Records sent as they were stored already. */
  unchanged: number;
  deleted: number;
}

export interface StoredRecord {
  id: string;
  hash: string;
  updated_at: string;
  record: Record<string, unknown>;
}

/** A record's key as text, or undefined when it has none (a missing, empty, or non-scalar value). */
export function keyOf(record: Readonly<Record<string, unknown>>, primaryKey: string): string | undefined {
  const value = valueAt(record, primaryKey);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value !== "") return value;
  return undefined;
}

/** A record's content hash: the same for the same content, whatever the order of its keys. */
export function recordHash(record: Readonly<Record<string, unknown>>): string {
  return hashJson(canonicalJson(record as Record<string, never>));
}

/** Upserts and deletes one batch of an api source's records (see the guarantees above). */
export async function pushRecords(
  deps: SourceDeps,
  environmentId: string,
  nameOrId: string,
  input: PushInput,
  now = new Date(),
): Promise<PushResult> {
  const source = await sourceRow(deps, environmentId, nameOrId);
  if (source.kind !== "api") {
    throw new SwitchyardError("conflict", `Source "${source.name}" reads its records from Postgres.`, {
      hint: "Change the rows in its table (the next run reads them), or create an api source to push records.",
    });
  }
  const keyed = keyBatch(input.records, source.primary_key);
  const deletes = [...new Set(input.deletes.map(String))];
  const result: PushResult = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
  await embeddedDb(deps.db)
    .transaction()
    .execute(async (trx) => {
      const stored = await hashesOf(
        trx,
        source.id,
        keyed.map((entry) => entry.pk),
      );
      const at = now.toISOString();
      for (const { pk, record } of keyed) {
        const hash = recordHash(record);
        const before = stored.get(pk);
        if (before === hash) {
          result.unchanged++;
          continue;
        }
        if (before === undefined) result.created++;
        else result.updated++;
        const payload = JSON.stringify(record);
        await trx
          .insertInto("source_records")
          .values({ source_id: source.id, pk, hash, payload, updated_at: at, read_id: null })
          .onConflict((c) => c.columns(["source_id", "pk"]).doUpdateSet({ hash, payload, updated_at: at }))
          .execute();
      }
      for (let i = 0; i < deletes.length; i += 500) {
        const removed = await trx
          .deleteFrom("source_records")
          .where("source_id", "=", source.id)
          .where("pk", "in", deletes.slice(i, i + 500))
          .executeTakeFirst();
        result.deleted += Number(removed.numDeletedRows);
      }
      if (result.created + result.updated + result.deleted > 0) await recordsChanged(trx, source.id, now);
    });
  return result;
}

/** The source's records changed at `now`: noted on it, and its embedded syncs are due soon. */
export async function recordsChanged(db: EmbeddedDb, sourceId: string, now: Date): Promise<void> {
  await db
    .updateTable("sources")
    .set({ records_changed_at: now.toISOString() })
    .where("id", "=", sourceId)
    .execute();
  await scheduleSoon(db, sourceId, now);
}

/** Each record with its key; request_invalid naming the first record without one, or repeating one. */
function keyBatch(
  records: readonly Record<string, unknown>[],
  primaryKey: string,
): { pk: string; record: Record<string, unknown> }[] {
  const seen = new Map<string, number>();
  return records.map((record, index) => {
    const pk = keyOf(record, primaryKey);
    if (pk === undefined) {
      throw new RequestInvalidError(
        [
          {
            location: "body",
            path: `records.${index}.${primaryKey}`,
            message: `record ${index} has no primary key "${primaryKey}" (a non-empty string or a number)`,
          },
        ],
        `Every record needs its "${primaryKey}"; nothing of this batch was stored.`,
      );
    }
    const first = seen.get(pk);
    if (first !== undefined) {
      throw new RequestInvalidError(
        [
          {
            location: "body",
            path: `records.${index}.${primaryKey}`,
            message: `record ${index} repeats the primary key of record ${first}`,
          },
        ],
        "Send each record once per batch; nothing of this batch was stored.",
      );
    }
    seen.set(pk, index);
    return { pk, record };
  });
}

/** A page of the source's records in key order, after the key `after`. */
export async function listSourceRecords(
  deps: Pick<SourceDeps, "db">,
  environmentId: string,
  nameOrId: string,
  options: { limit: number; after?: string },
): Promise<{ data: StoredRecord[]; next: string | null }> {
  const source = await sourceRow(deps, environmentId, nameOrId);
  const rows = await readRecordsPage(embeddedDb(deps.db), source.id, options.after, options.limit);
  return {
    data: rows.map((row) => ({
      id: row.pk,
      hash: row.hash,
      updated_at: row.updated_at,
      record: JSON.parse(row.payload) as Record<string, unknown>,
    })),
    next: rows.length === options.limit ? rows[rows.length - 1]!.pk : null,
  };
}
