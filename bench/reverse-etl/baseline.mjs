/**
 * The reverse-ETL benchmark's baseline: the least a diff of the same model against the same snapshot can do
 * with the same tools, by hand, in a bare Node process. It opens the warehouse file read-only, attaches the
 * sync's snapshot file (key → hash) read-only, joins the model's rows, each with the md5 of the sent columns,
 * with the snapshot inside DuckDB, and streams out the rows that differ, their values included, counting
 * them. No sandbox copy, no key check, no run bookkeeping, no pending rows, nothing written.
 *
 *   node bench/reverse-etl/baseline.mjs <warehouse.duckdb> <snapshot.duckdb> <table> <key> <col>...
 * Prints one JSON line: {"seconds","rows","added","changed","removed","unchanged","cpu_s","peak_rss_mb"}
 * (cpu_s: the whole process's, Node's start-up included, as the CLI's is measured).
 */
import { DuckDBInstance } from "@duckdb/node-api";

const [warehousePath, snapshotPath, table, key, ...columns] = process.argv.slice(2);
const started = performance.now();

const instance = await DuckDBInstance.create(warehousePath, { access_mode: "READ_ONLY", threads: "1" });
const duck = await instance.connect();
await duck.run(`ATTACH '${snapshotPath.replaceAll("'", "''")}' AS snap (READ_ONLY)`);
const hashed = columns.map((c) => `coalesce('v' || CAST("${c}" AS VARCHAR), 'n')`).join(", ");
const model = `SELECT CAST("${key}" AS VARCHAR) AS pk, md5(concat_ws(chr(31), ${hashed})) AS hash, * FROM "${table}"`;
const rowsReader = await duck.runAndReadAll(`SELECT count(*) AS n FROM "${table}"`);
const counts = { rows: Number(rowsReader.getRows()[0][0]), added: 0, changed: 0, removed: 0, unchanged: 0 };
const result = await duck.stream(
  `SELECT CASE WHEN s.pk IS NULL THEN 'added' WHEN m.pk IS NULL THEN 'removed' ELSE 'changed' END AS kind, m.*
   FROM (${model}) AS m FULL OUTER JOIN snap.snapshot AS s ON m.pk = s.pk
   WHERE s.pk IS NULL OR m.pk IS NULL OR m.hash <> s.hash ORDER BY coalesce(m.pk, s.pk)`,
);
for await (const chunk of result.yieldRows()) for (const [kind] of chunk) counts[kind]++;
counts.unchanged = counts.rows - counts.added - counts.changed;
const seconds = (performance.now() - started) / 1000;
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
