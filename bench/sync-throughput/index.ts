/**
 * sync-throughput: a full sync of N HubSpot contacts (default 200,000) from the emulator into the records
 * cache and DuckDB, run as a user runs it: the built `switchyard sync` command. Against a baseline measured
 * in the same run: a minimal hand-written loop that fetches the same pages with undici and bulk-inserts
 * them into DuckDB. Each side runs in its own bare Node process, against the same emulator process,
 * alternating, `BENCH_ROUNDS` times (default 5); the median of each is reported.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { fromRoot, runMeasured, runScript } from "../lib/child.ts";
import { startEmulatorProcess } from "../lib/emulator-process.ts";

interface SideResult {
  records: number;
  seconds: number;
  peak_rss_mb: number;
  duckdb_rows: number;
}

type Emulator = Awaited<ReturnType<typeof startEmulatorProcess>>;

const contacts = Number(process.env.BENCH_CONTACTS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

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
  const ours: SideResult[] = [];
  const baseline: SideResult[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first so neither side always gets the warmer machine.
      const order =
        round % 2 === 0 ? (["baseline", "switchyard"] as const) : (["switchyard", "baseline"] as const);
      for (const side of order) {
        const dir = mkdtempSync(join(tmpdir(), `bench-${side}-`));
        try {
          const result =
            side === "baseline"
              ? await runScript<SideResult>(fromRoot("bench/sync-throughput/baseline.mjs"), [
                  emulator.url,
                  emulator.token,
                  dir,
                ])
              : await runSwitchyard(emulator, dir);
          if (result.records !== contacts || result.duckdb_rows !== contacts) {
            throw new Error(
              `${side} moved ${result.records} records / ${result.duckdb_rows} rows, expected ${contacts}`,
            );
          }
          (side === "baseline" ? baseline : ours).push(result);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await emulator.stop();
  }
  const oursRate = median(ours.map((r) => r.records / r.seconds));
  const baselineRate = median(baseline.map((r) => r.records / r.seconds));
  process.stdout.write(
    `${JSON.stringify({
      bench: "sync-throughput",
      records: contacts,
      rounds,
      records_per_s: Math.round(oursRate),
      baseline_records_per_s: Math.round(baselineRate),
      baseline_ratio: Number((oursRate / baselineRate).toFixed(3)),
      peak_rss_mb: Math.max(...ours.map((r) => r.peak_rss_mb)),
      baseline_peak_rss_mb: Math.max(...baseline.map((r) => r.peak_rss_mb)),
      seconds: ours.map((r) => Number(r.seconds.toFixed(2))),
      baseline_seconds: baseline.map((r) => Number(r.seconds.toFixed(2))),
    })}\n`,
  );
}
