/**
 * The diff of a warehouse model against its sync's snapshot, computed inside the warehouse's query sandbox:
 * the snapshot (snapshot-file.ts) is loaded beside the model's tables, the keys are checked (none null or
 * repeated), and one join (model-sql.ts) returns only the added, changed and removed rows, sorted by key.
 * Unchanged rows, most of a run, never reach JavaScript; a changed row's values are converted only when read.
 */
import { type WarehouseChunk, withWarehouseSandbox } from "../../destinations/duckdb/query.ts";
import { type Change, clip, ModelKeyError } from "../../flows/reverse-etl/diff.ts";
import {
  CHANGED_COLUMNS_FROM,
  modelChangesSql,
  modelKeysSql,
  repeatedKeySql,
} from "../../flows/reverse-etl/model-sql.ts";
import type { RetlDb } from "../../flows/reverse-etl/store.ts";
import type { WarehouseAccess } from "../warehouse/query.ts";
import { loadSnapshot } from "./snapshot-file.ts";

/** The counts of a diff. */
export interface DiffCounts {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

/** Emits a diff's changes in key order, each awaited, and answers its counts. */
export type ChangeSource = (
  emit: (change: Change) => Promise<void>,
  onProgress: () => Promise<void>,
) => Promise<DiffCounts>;

/** How long the model's queries may take (the diff runs inside them). */
const MODEL_TIMEOUT_MS = 30 * 60_000;
/**
 * The model's sandbox may hold this much; beyond it, its copy and join spill to a temporary folder. So a run's
 * memory stays bounded (with Node's own, under 512 MB at a million rows) whatever the model's size.
 */
const MODEL_MEMORY_LIMIT = "256MB";

export interface ModelDiffInput {
  db: RetlDb;
  warehouse: WarehouseAccess;
  connectionIds: readonly string[];
  syncId: string;
  /** The sync's snapshot file (snapshot-file.ts). */
  snapshotFile: string;
  modelSql: string;
  primaryKey: string;
  /** The columns the sync sends: what a row's hash covers. */
  sentColumns: readonly string[];
}

/** The model's changes against the snapshot. Throws ModelKeyError when a key is null or repeated. */
export function modelChanges(input: ModelDiffInput): ChangeSource {
  return async (emit, onProgress) => {
    const { warehouse, modelSql, primaryKey } = input;
    const changesSql = modelChangesSql(modelSql, primaryKey, input.sentColumns);
    const counts: DiffCounts = { added: 0, changed: 0, removed: 0, unchanged: 0 };
    // A key problem is returned out of the sandbox, which would otherwise report it as a failed query.
    const problem = await withWarehouseSandbox(
      {
        path: warehouse.path,
        connectionIds: input.connectionIds,
        sql: changesSql,
        timeoutMs: MODEL_TIMEOUT_MS,
        memoryLimit: MODEL_MEMORY_LIMIT,
        spill: true,
        prepare: (connection) => loadSnapshot(connection, input.db, input.syncId, input.snapshotFile),
        ...(warehouse.whileReleased ? { whileReleased: warehouse.whileReleased.bind(warehouse) } : {}),
      },
      async (sandbox) => {
        const [keys] = await sandbox.readAll(modelKeysSql(modelSql, primaryKey));
        const rows = Number(keys?.rows ?? 0);
        if (Number(keys?.keyed ?? 0) !== rows) return `a row has no value in its key column "${primaryKey}"`;
        if (Number(keys?.distinct_keys ?? 0) !== rows) {
          const [repeated] = await sandbox.readAll(repeatedKeySql(modelSql, primaryKey));
          return `the primary key "${clip(String(repeated?.k))}" appears on more than one row`;
        }
        await sandbox.chunks(changesSql, async (chunk) => {
          for (const change of chunkChanges(chunk)) {
            counts[change.kind]++;
            await emit(change);
          }
          await onProgress();
        });
        counts.unchanged = rows - counts.added - counts.changed;
        return undefined;
      },
    );
    if (problem !== undefined) throw new ModelKeyError(problem);
    return counts;
  };
}

/** A chunk of the changes query (model-sql.ts: kind, key, hash, then the model's columns) as changes. */
function chunkChanges(chunk: WarehouseChunk): Change[] {
  const kinds = chunk.text(0);
  const pks = chunk.text(1);
  const hashes = chunk.text(2);
  const changes: Change[] = new Array(chunk.rowCount);
  for (let index = 0; index < chunk.rowCount; index++) {
    const kind = kinds[index] as Change["kind"];
    const pk = pks[index]!;
    changes[index] =
      kind === "removed" ? { kind, pk } : new ChangedRow(kind, pk, hashes[index]!, chunk, index);
  }
  return changes;
}

/** An added or changed row whose values stay in the chunk until read. */
class ChangedRow {
  constructor(
    readonly kind: "added" | "changed",
    readonly pk: string,
    readonly hash: string,
    private readonly chunk: WarehouseChunk,
    private readonly index: number,
  ) {}

  get row(): Record<string, unknown> {
    return this.chunk.rowObject(this.index, CHANGED_COLUMNS_FROM);
  }
}
