/**
 * sync-throughput: a full sync of N HubSpot contacts (default 200,000) from the emulator into the records
 * cache and the warehouse, run as a user runs it. Against a baseline measured in the same run: a minimal
 * hand-written loop that fetches the same pages with undici and bulk-inserts them into DuckDB. Each side
 * runs in its own bare Node process, against the same emulator process, alternating, `BENCH_ROUNDS` times
 * (default 5); the median of each is reported.
 *
 * BENCH_STORE picks what is measured besides the baseline:
 *  - `embedded` (default): the built `switchyard sync` command (records cache in SQLite, DuckDB warehouse);
 *  - `postgres`: that, and beside it a `switchyard worker` on a Postgres database of its own (records cache
 *    on Postgres, the Postgres warehouse of WAREHOUSE_URL) running the same sync as a job; one line each,
 *    the Postgres one with its ratio to the embedded figure of the same run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { fromRoot, runMeasured, runScript } from "../lib/child.ts";
import { median } from "../lib/deployment.ts";
import { startEmulatorProcess } from "../lib/emulator-process.ts";
import { runPostgresWorker } from "./postgres-side.ts";

export interface SideResult {
  records: number;
  seconds: number;
  peak_rss_mb: number;
  /** Live rows in the warehouse table after the sync (DuckDB's, or Postgres's for the postgres side). */
  duckdb_rows: number;
}

type Side = "baseline" | "embedded" | "postgres";

type Emulator = Awaited<ReturnType<typeof startEmulatorProcess>>;

const contacts = Number(process.env.BENCH_CONTACTS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const store = process.env.BENCH_STORE ?? "embedded";

/**
 * The shipped CLI, run as a user runs it (bin/switchyard.js with its shebang's Node flags) and measured
 * from outside; its time is the run's own duration, as the baseline's is.
 */
async function runSwitchyard(emulator: Emulator, dir: string): Promise<SideResult> {
  const { stdout, peakRssMb } = await runMeasured(
    fromRoot("bin/switchyard.js"),
    [
      "sync",
      "hubspot",
      // The emulator is on loopback: the environment must allow private addresses.
      ...["--token", emulator.token, "--base-url", emulator.url, "--allow-private-network"],
      ...["--data-dir", dir, "--streams", "contacts", "--json"],
    ],
    join(dir, "peak-rss"),
  );
  const run = JSON.parse(stdout) as {
    status: string;
    stats: { recordsAdded: number; durationMs: number };
    error?: { message: string };
  };
  if (run.status !== "succeeded") throw new Error(`switchyard sync failed: ${run.error?.message}`);
  return {
    records: run.stats.recordsAdded,
    seconds: run.stats.durationMs / 1000,
    peak_rss_mb: peakRssMb,
    duckdb_rows: await countRows(join(dir, "warehouse.duckdb")),
  };
}

async function countRows(warehouse: string): Promise<number> {
  const instance = await DuckDBInstance.create(warehouse);
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(
      "SELECT count(*)::INTEGER AS n FROM hubspot_contacts WHERE NOT _deleted",
    );
    connection.closeSync();
    return Number(reader.getRowObjects()[0]?.n);
  } finally {
    instance.closeSync();
  }
}

export async function run(): Promise<void> {
  if (store !== "embedded" && store !== "postgres")
    throw new Error(`BENCH_STORE is "${store}": use embedded (the default) or postgres.`);
  const emulator = await startEmulatorProcess([
    "--contacts",
    String(contacts),
    "--companies",
    "2000",
    "--deals",
    "10",
    "--rate-limit-max",
    "100000000",
    "--rate-limit-daily",
    "1000000000",
  ]);
  const sides: Side[] =
    store === "postgres" ? ["baseline", "embedded", "postgres"] : ["baseline", "embedded"];
  const results: Record<Side, SideResult[]> = { baseline: [], embedded: [], postgres: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      // Rotate who goes first so no side always gets the warmer machine.
      const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
      for (const side of order) {
        const dir = mkdtempSync(join(tmpdir(), `bench-${side}-`));
        try {
          const result = await runSide(side, emulator, dir);
          if (result.records !== contacts || result.duckdb_rows !== contacts) {
            throw new Error(
              `${side} moved ${result.records} records / ${result.duckdb_rows} rows, expected ${contacts}`,
            );
          }
          results[side].push(result);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await emulator.stop();
  }
  const rate = (side: Side) => median(results[side].map((r) => r.records / r.seconds));
  const line = (side: "embedded" | "postgres") => {
    const ours = results[side];
    return {
      bench: "sync-throughput",
      store: side,
      records: contacts,
      rounds,
      records_per_s: Math.round(rate(side)),
      baseline_records_per_s: Math.round(rate("baseline")),
      baseline_ratio: Number((rate(side) / rate("baseline")).toFixed(3)),
      peak_rss_mb: Math.max(...ours.map((r) => r.peak_rss_mb)),
      baseline_peak_rss_mb: Math.max(...results.baseline.map((r) => r.peak_rss_mb)),
      seconds: ours.map((r) => Number(r.seconds.toFixed(2))),
      baseline_seconds: results.baseline.map((r) => Number(r.seconds.toFixed(2))),
    };
  };
  process.stdout.write(`${JSON.stringify(line("embedded"))}\n`);
  if (store === "postgres") {
    process.stdout.write(
      `${JSON.stringify({
        ...line("postgres"),
        embedded_records_per_s: Math.round(rate("embedded")),
        embedded_ratio: Number((rate("postgres") / rate("embedded")).toFixed(3)),
      })}\n`,
    );
  }
}

function runSide(side: Side, emulator: Emulator, dir: string): Promise<SideResult> {
  switch (side) {
    case "baseline":
      return runScript<SideResult>(fromRoot("bench/sync-throughput/baseline.mjs"), [
        emulator.url,
        emulator.token,
        dir,
      ]);
    case "embedded":
      return runSwitchyard(emulator, dir);
    case "postgres":
      return runPostgresWorker(emulator, dir);
  }
}
