import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "safe-stable-stringify";
import { freshForEachTest } from "../../../test/helpers/lifecycle.ts";
import {
  type ColumnType,
  fieldsOf,
  type PreparedRecord,
  type RecordBatch,
  type StreamTarget,
  type SyncRecord,
} from "../../core/index.ts";
import { createDuckDbDestination, type DuckDbDestination } from "./index.ts";

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

/** A DuckDB file of each test's own; the returned object always stands for the current test's one. */
export interface DestinationPerTest {
  readonly dest: DuckDbDestination;
  readonly dir: Awaited<ReturnType<typeof tempDir>>;
  /** Closes the destination and opens its file again, as the next process would. */
  reopen(): Promise<DuckDbDestination>;
}

/**
 * Opens a destination on `fileName` in a fresh temp directory before each test (preparing `target` if
 * given), and closes and removes it after.
 */
export function destinationPerTest(fileName: string, target?: StreamTarget): DestinationPerTest {
  const open = (dir: Awaited<ReturnType<typeof tempDir>>) =>
    createDuckDbDestination({ path: dir.file(fileName) });
  const current = freshForEachTest(
    "destinationPerTest's destination",
    async () => {
      const dir = await tempDir();
      const opened = { dir, dest: await open(dir) };
      if (target) await opened.dest.prepare(target);
      return opened;
    },
    async ({ dest, dir }) => {
      await dest.close();
      await dir.cleanup();
    },
  );
  return {
    get dest() {
      return current().dest;
    },
    get dir() {
      return current().dir;
    },
    async reopen() {
      const opened = current();
      await opened.dest.close();
      opened.dest = await open(opened.dir);
      return opened.dest;
    },
  };
}
