import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "safe-stable-stringify";
import {
  type ColumnType,
  fieldsOf,
  type PreparedRecord,
  type RecordBatch,
  type StreamTarget,
  type SyncRecord,
} from "../../core/index.ts";

/** A contacts-like stream target for tests. */
export function contactsTarget(
  columns: Record<string, ColumnType> = {},
  table = "test_contacts",
): StreamTarget {
  return {
    provider: "test",
    stream: "contacts",
    table,
    primaryKey: "id",
    schema: {
      columns: {
        id: "string",
        email: "string",
        amount: "number",
        visits: "integer",
        subscribed: "boolean",
        created_at: "timestamp",
        properties: "json",
        ...columns,
      },
    },
  };
}

/** A prepared record keyed by `data.id`, with canonical JSON and fields as the engine makes them; a stand-in hash. */
export function record(data: SyncRecord, deleted = false): PreparedRecord {
  const json = stringify(data) ?? "null";
  return { pk: String(data.id), hash: `h:${json}`, deleted, json, fields: fieldsOf(data) };
}

export function batch(
  target: StreamTarget,
  records: PreparedRecord[],
  connectionId = "conn_1",
  syncedAt = new Date("2025-01-01T00:00:00Z"),
): RecordBatch {
  return { connectionId, target, records, syncedAt };
}

/** A fresh temp directory; call the returned cleanup when done. */
export async function tempDir(): Promise<{
  dir: string;
  file: (name: string) => string;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-duckdb-"));
  return { dir, file: (name) => join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
