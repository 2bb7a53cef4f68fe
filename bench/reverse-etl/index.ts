/**
 * reverse-etl: one reverse-ETL sync of a BENCH_ROWS-row model (default 1,000,000) whose previous snapshot
 * differs in 1% of its rows (BENCH_CHANGED_SHARE), into HubSpot contacts on the emulator, run as a user runs
 * it: the built `switchyard retl run` command (bin/switchyard.js → dist/), each run in its own process, with
 * its peak RSS taken by the kernel (bench/lib/report-peak-rss.mjs). Nothing of the product is copied here.
 *
 * Set-up (not measured), in this process:
 * - a workspace in a temp directory, a HubSpot connection to the emulator (its own process, from dist/);
 * - the DuckDB table `bench_people` (text key `id`, `hubspot_id`, names, city) and the model over it;
 * - the sync (upsert, matched on `hubspot_id`, 3 mapped columns), and its previous snapshot: every row's
 *   key and hash as the product's own diff query computes them (model-sql.ts), inserted into the store as a
 *   run's accepted writes are, then folded into the sync's snapshot file by the product's own foldSnapshot,
 *   as a run does when it ends; then every 100th row's first name changes in the warehouse. Those rows'
 *   `hubspot_id`s are the emulator's seeded contacts, so the run updates them; the other rows are never
 *   written.
 *
 * Measured:
 * 1. `diff_s`: `switchyard retl run --dry-run`, which runs the whole diff (the model's tables and the sync's
 *    snapshot file copied into the warehouse's sandbox, the keys checked, the model joined with the snapshot
 *    there, the changed rows streamed out) and writes nothing; the run's own duration (started_at → finished_at, without Node's start-up).
 * 2. `switchyard retl run`: the same diff, then the changed rows written through HubSpot's batch update
 *    (100 per request) inside the account's rate-limit budget. `write_budget_used` is measured at the
 *    emulator: requests it accepted over what it allowed from the first write's window to the end of the last
 *    full one (bench/rate-limit's budgetFigures). The emulator's limit is set so the writes need about
 *    BENCH_WRITE_WINDOWS (5) windows of BENCH_RATE_INTERVAL_MS (10 s): pacing, not the burst of one window,
 *    is what is measured. `diff_s_in_run` is the real run's time from its start to its first write.
 * 3. The baseline (`baseline.mjs`, bare Node, same run): the same join by hand, on the warehouse file and
 *    the snapshot file directly (no sandbox copy, no key check, no run bookkeeping). `diff_vs_baseline` is
 *    diff_s over its time; `diff_cpu_vs_baseline` compares the CPU time of the two processes (the dry run's
 *    and the baseline's, Node's start-up included in both), which a loaded machine disturbs less than wall
 *    time.
 * Every count is checked (changed rows found by both; all updated at the emulator, with the new names).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import Database from "better-sqlite3";
import { upsertConnection } from "../../src/app/connections/connections.ts";
import { createModel } from "../../src/app/reverse-etl/models.ts";
import { foldSnapshot, snapshotFilePath } from "../../src/app/reverse-etl/snapshot-file.ts";
import { createReverseEtlSync } from "../../src/app/reverse-etl/syncs.ts";
import { openWorkspace } from "../../src/app/workspace.ts";
import { syncInput } from "../../src/flows/reverse-etl/definitions.ts";
import { DIFF_COLUMNS, modelDiffSql } from "../../src/flows/reverse-etl/model-sql.ts";
import { retlDb } from "../../src/flows/reverse-etl/store.ts";
import { providers } from "../../src/providers/registry.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import { ensureEnvironment, setEnvironmentPrivateNetwork } from "../../src/store/index.ts";
import { fromRoot, runMeasured, runScript } from "../lib/child.ts";
import { startEmulatorProcess } from "../lib/emulator-process.ts";
import { budgetFigures } from "../rate-limit/index.ts";

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const changedShare = Number(process.env.BENCH_CHANGED_SHARE ?? 0.01);
const writeWindows = Number(process.env.BENCH_WRITE_WINDOWS ?? 5);
const intervalMs = Number(process.env.BENCH_RATE_INTERVAL_MS ?? 10_000);
/** HubSpot's batch update takes 100 inputs per request. */
const BATCH = 100;
/** The emulator's first seeded contact id (catalog.ts). */
const FIRST_CONTACT_ID = 101;
const TABLE = "bench_people";
const MODEL_SQL = `SELECT id, hubspot_id, email, first_name, last_name, city FROM ${TABLE}`;
const MAPPING = [
  { column: "first_name", field: "properties.firstname" },
  { column: "last_name", field: "properties.lastname" },
  { column: "city", field: "properties.city" },
];
/** What a run hashes: the mapped columns, then the match column (run.ts's sentColumns). */
const SENT_COLUMNS = [...MAPPING.map((m) => m.column), "hubspot_id"];

interface RunJson {
  id: string;
  status: string;
  stats: {
    added: number;
    changed: number;
    removed: number;
    unchanged: number;
    updated: number;
    failed: number;
  };
  error: string | null;
  started_at: string;
  finished_at: string;
}

/** One rate-limit window the emulator kept (`GET /_emulator/rate-limit/windows`). */
type WindowRecord = Parameters<typeof budgetFigures>[0][number];

export async function run(): Promise<void> {
  const step = Math.round(1 / changedShare);
  const changed = Math.ceil(rows / step);
  const requests = Math.ceil(changed / BATCH);
  const limit = Math.max(1, Math.ceil(requests / writeWindows));
  const emulator = await startEmulatorProcess([
    ...["--contacts", String(changed), "--companies", "1", "--deals", "1"],
    ...["--rate-limit-max", String(limit), "--rate-limit-interval-ms", String(intervalMs)],
  ]);
  const dir = mkdtempSync(join(tmpdir(), "bench-reverse-etl-"));
  try {
    const syncId = await setUp(dir, emulator, step);
    const cli = (args: string[], name: string) => measuredRun(dir, syncId, args, name);

    const baseline = await runScript<{ seconds: number; cpu_s: number; changed: number; unchanged: number }>(
      fromRoot("bench/reverse-etl/baseline.mjs"),
      [
        join(dir, "warehouse.duckdb"),
        snapshotFilePath(join(dir, "warehouse.duckdb"), syncId),
        TABLE,
        "id",
        ...SENT_COLUMNS,
      ],
    );
    if (baseline.changed !== changed || baseline.unchanged !== rows - changed)
      throw new Error(`The baseline found ${baseline.changed} changed rows, expected ${changed}.`);

    const dry = await cli(["--dry-run"], "dry-run");
    const dryRun = JSON.parse(dry.stdout) as RunJson;
    checkDiff(dryRun, changed);

    const real = await cli([], "run");
    const written = JSON.parse(real.stdout) as RunJson;
    checkDiff(written, changed);
    if (written.stats.updated !== changed || written.stats.failed !== 0)
      throw new Error(
        `The run updated ${written.stats.updated} of ${changed} rows (${written.stats.failed} failed).`,
      );

    const windows = (
      (await (await fetch(`${emulator.url}/_emulator/rate-limit/windows`)).json()) as {
        windows: WindowRecord[];
      }
    ).windows;
    const budget = budgetFigures(windows);
    const firstWrite = Math.min(...windows.map((w) => w.start));
    await checkWritten(emulator, step);

    const diffSeconds = seconds(dryRun);
    process.stdout.write(
      `${JSON.stringify({
        bench: "reverse-etl",
        rows,
        changed,
        diff_s: diffSeconds,
        peak_rss_mb: Math.max(dry.peakRssMb, real.peakRssMb),
        write_budget_used: budget.budget_used,
        baseline_diff_s: baseline.seconds,
        diff_vs_baseline: Number((diffSeconds / baseline.seconds).toFixed(2)),
        diff_cpu_s: dry.cpuS,
        baseline_cpu_s: baseline.cpu_s,
        diff_cpu_vs_baseline: Number((dry.cpuS / baseline.cpu_s).toFixed(2)),
        dry_run_peak_rss_mb: dry.peakRssMb,
        run_peak_rss_mb: real.peakRssMb,
        run_cpu_s: real.cpuS,
        diff_s_in_run: Number(((firstWrite - Date.parse(written.started_at)) / 1000).toFixed(2)),
        run_s: seconds(written),
        rate_limit: `${limit}/${intervalMs / 1000}s`,
        write_requests: budget.requests,
        share_429: budget.share_429,
        accepted_per_window: budget.accepted_per_window,
      })}\n`,
    );
  } finally {
    await emulator.stop();
    // BENCH_KEEP_DIR=1 keeps the workspace for profiling a run by hand (`node --cpu-prof bin/switchyard.js
    // retl run <sync> --dry-run --data-dir <dir>`).
    if (process.env.BENCH_KEEP_DIR) process.stderr.write(`reverse-etl: workspace kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The CPU-time hook, preloaded into the measured CLI beside the peak-RSS one. */
const CPU_HOOK = fromRoot("bench/reverse-etl/report-cpu.mjs");

/**
 * `switchyard retl run <sync> …` as a user runs it (bin/switchyard.js), with its peak RSS (MB) and CPU time
 * (s, the whole process: Node's start-up included, as the baseline's).
 */
async function measuredRun(dir: string, syncId: string, args: string[], name: string) {
  const cpuFile = join(dir, `${name}.cpu`);
  const saved = { options: process.env.NODE_OPTIONS, file: process.env.BENCH_CPU_FILE };
  // runMeasured passes NODE_OPTIONS on, adding its own hook.
  process.env.NODE_OPTIONS = [saved.options, `--import="${CPU_HOOK}"`].filter(Boolean).join(" ");
  process.env.BENCH_CPU_FILE = cpuFile;
  try {
    const measured = await runMeasured(
      fromRoot("bin/switchyard.js"),
      ["retl", "run", syncId, ...args, "--data-dir", dir],
      join(dir, `${name}.rss`),
    );
    return { ...measured, cpuS: Number(Number(readFileSync(cpuFile, "utf8")).toFixed(2)) };
  } finally {
    restoreEnv("NODE_OPTIONS", saved.options);
    restoreEnv("BENCH_CPU_FILE", saved.file);
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/**
 * The workspace, warehouse table, model, sync and previous snapshot (see the header); the sync's id. The
 * snapshot is every row's hash before the change, computed by the product's own diff query.
 */
async function setUp(dir: string, emulator: { url: string; token: string }, step: number): Promise<string> {
  const workspace = await openWorkspace({ dataDir: dir });
  try {
    const env = await ensureEnvironment(workspace.store.db, "dev");
    await setEnvironmentPrivateNetwork(workspace.store.db, env.id, true);
    const connection = await upsertConnection(workspace, {
      environment: "dev",
      provider: "hubspot",
      endUserId: "bench",
      credentials: { type: "bearer", token: emulator.token },
      config: { baseUrl: emulator.url },
    });
    // Changed rows (every `step`-th) point at the emulator's seeded contacts; the others at ids never written.
    const people = (count: number) =>
      `SELECT lpad(CAST(i AS VARCHAR), 9, '0') AS id,
         CAST(CASE WHEN i % ${step} = 0 THEN ${FIRST_CONTACT_ID} + i // ${step} ELSE 1000000000 + i END AS VARCHAR) AS hubspot_id,
         'person' || i || '@bench.example' AS email, 'First' || i AS first_name, 'Last' || i AS last_name,
         'City' || (i % 500) AS city, '${connection.id}' AS _connection_id
       FROM range(0, ${count}) t(i)`;
    // Empty while the model is saved: its check copies the table it names into a sandbox, which for a
    // million rows can outlast the check's 10 s on a loaded machine (see docs/benchmarks.md).
    await inWarehouse(workspace.warehousePath, `CREATE TABLE ${TABLE} AS ${people(0)}`);

    const deps = {
      db: workspace.store.db,
      vault: workspace.vault,
      providers,
      mappers: unifiedMappers,
      writers: unifiedWriters,
      warehouse: { path: workspace.warehousePath },
    };
    const model = await createModel(deps, env.id, {
      name: "bench_people",
      sql: MODEL_SQL,
      primary_key: "id",
    });
    const sync = await createReverseEtlSync(
      deps,
      env.id,
      syncInput.parse({
        model_id: model.id,
        connection_id: connection.id,
        target: { type: "actions", create: "create_contact", update: "update_contact" },
        mode: "upsert",
        match: { by: "external_id", column: "hubspot_id" },
        mapping: MAPPING,
      }),
    );
    await inWarehouse(workspace.warehousePath, `INSERT INTO ${TABLE} ${people(rows)}`);
    await seedSnapshot(workspace.warehousePath, join(dir, "switchyard.sqlite"), sync.id);
    await foldSnapshot(
      retlDb(workspace.store.db),
      sync.id,
      snapshotFilePath(workspace.warehousePath, sync.id),
    );
    await inWarehouse(
      workspace.warehousePath,
      `UPDATE ${TABLE} SET first_name = 'Changed' || id WHERE CAST(id AS BIGINT) % ${step} = 0`,
    );
    return sync.id;
  } finally {
    await workspace.close();
  }
}

async function inWarehouse(path: string, statement: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(statement);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The sync's snapshot entries as a run that had written every row saved them, before folding them. */
async function seedSnapshot(warehousePath: string, sqlitePath: string, syncId: string): Promise<void> {
  const instance = await DuckDBInstance.create(warehousePath, { access_mode: "READ_ONLY" });
  const duck = await instance.connect();
  const sqlite = new Database(sqlitePath);
  const insert = sqlite.prepare("INSERT INTO retl_snapshots (sync_id, pk, hash) VALUES (?, ?, ?)");
  const insertAll = sqlite.transaction((chunk: unknown[][]) => {
    for (const [pk, hash] of chunk) insert.run(syncId, pk, hash);
  });
  try {
    const sql = modelDiffSql(MODEL_SQL, "id", SENT_COLUMNS);
    const result = await duck.stream(
      `SELECT "${DIFF_COLUMNS.pk}", "${DIFF_COLUMNS.hash}" FROM (${sql}) AS diff`,
    );
    for await (const chunk of result.yieldRows()) insertAll(chunk);
  } finally {
    sqlite.close();
    duck.closeSync();
    instance.closeSync();
  }
}

function checkDiff(run: RunJson, changed: number): void {
  const { stats } = run;
  if (run.status !== "succeeded") throw new Error(`The run ${run.id} ended ${run.status}: ${run.error}`);
  if (
    stats.changed !== changed ||
    stats.added !== 0 ||
    stats.removed !== 0 ||
    stats.unchanged !== rows - changed
  )
    throw new Error(`The diff found ${JSON.stringify(stats)}; expected ${changed} changed of ${rows}.`);
}

/** A sample of the changed rows' contacts, read back from the emulator: each has its new first name. */
async function checkWritten(emulator: { url: string; token: string }, step: number): Promise<void> {
  const changed = Math.ceil(rows / step);
  for (const k of [0, Math.floor(changed / 2), changed - 1]) {
    const url = `${emulator.url}/crm/v3/objects/contacts/${FIRST_CONTACT_ID + k}?properties=firstname`;
    const get = () => fetch(url, { headers: { authorization: `Bearer ${emulator.token}` } });
    let response = await get();
    // The write used the window up: wait for the next one.
    while (response.status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      response = await get();
    }
    const contact = (await response.json()) as { properties?: { firstname?: string } };
    const expected = `Changed${String(k * step).padStart(9, "0")}`;
    if (contact.properties?.firstname !== expected)
      throw new Error(
        `Contact ${FIRST_CONTACT_ID + k} has firstname ${contact.properties?.firstname}, expected ${expected}.`,
      );
  }
}

function seconds(run: RunJson): number {
  return Number(((Date.parse(run.finished_at) - Date.parse(run.started_at)) / 1000).toFixed(2));
}
