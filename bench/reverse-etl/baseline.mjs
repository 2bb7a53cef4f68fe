/**
 * The reverse-ETL benchmark's baseline: the least a diff of the same model against the same snapshot can do
 * with the same tools, by hand, in a bare Node process. It reads the model's rows sorted by key, each with the
 * md5 of the sent columns, straight from the DuckDB file (no sandbox copy), and the snapshot straight from
 * SQLite (better-sqlite3's iterator), and merges the two sorted sequences, counting. No run bookkeeping, no
 * pending rows, nothing written.
 *
 *   node bench/reverse-etl/baseline.mjs <warehouse.duckdb> <switchyard.sqlite> <sync id> <table> <key> <col>...
 * Prints one JSON line: {"seconds","rows","added","changed","removed","unchanged","cpu_s","peak_rss_mb"}
 * (cpu_s: the whole process's, Node's start-up included, as the CLI's is measured).
 */
import { DuckDBInstance } from "@duckdb/node-api";
import Database from "better-sqlite3";

const [warehousePath, sqlitePath, syncId, table, key, ...columns] = process.argv.slice(2);
const started = performance.now();

const instance = await DuckDBInstance.create(warehousePath, { access_mode: "READ_ONLY", threads: "1" });
const duck = await instance.connect();
const hashed = columns.map((c) => `coalesce('v' || CAST("${c}" AS VARCHAR), 'n')`).join(", ");
const result = await duck.stream(
  `SELECT CAST("${key}" AS VARCHAR) AS pk, md5(concat_ws(chr(31), ${hashed})) AS hash FROM "${table}" ORDER BY 1`,
);

const sqlite = new Database(sqlitePath, { readonly: true });
const snapshot = sqlite
  .prepare("SELECT pk, hash FROM retl_snapshots WHERE sync_id = ? ORDER BY pk")
  .raw()
  .iterate(syncId);
let entry = snapshot.next();
const counts = { rows: 0, added: 0, changed: 0, removed: 0, unchanged: 0 };
for await (const chunk of result.yieldRows()) {
  for (const [pk, hash] of chunk) {
    counts.rows++;
    while (!entry.done && entry.value[0] < pk) {
      counts.removed++;
      entry = snapshot.next();
    }
    if (!entry.done && entry.value[0] === pk) {
      if (entry.value[1] === hash) counts.unchanged++;
      else counts.changed++;
      entry = snapshot.next();
    } else counts.added++;
  }
}
for (; !entry.done; entry = snapshot.next()) counts.removed++;
const seconds = (performance.now() - started) / 1000;
sqlite.close();
duck.closeSync();
instance.closeSync();
process.stdout.write(
  `${JSON.stringify({
    seconds: Number(seconds.toFixed(2)),
    ...counts,
    cpu_s: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
