/**
 * Profiling aid (not a benchmark; docs/benchmarks.md, "sync-throughput on Postgres"): runs only the Postgres
 * side of sync-throughput (BENCH_CONTACTS, default 50,000) while sampling the bench database's
 * pg_stat_activity every ~25 ms and the worker's and backends' CPU from /proc. Prints the side's result,
 * the active samples by wait event and statement, and the CPU seconds.
 *
 *   PROFILE_CPU_DIR=dir          also CPU-profile the worker (../lib/cpu-profile-hook.mjs) into dir
 *   PROFILE_LOG_STATEMENTS=1     log every statement's duration to the server log (that database only)
 *   PROFILE_ASYNC_COMMIT=1       the bench database's sessions do not wait for WAL flushes: an experiment
 *                                to see what those waits cost, never a product setting
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { fromRoot } from "../lib/child.ts";
import { BENCH_POSTGRES_URL } from "../lib/deployment.ts";
import { startEmulatorProcess } from "../lib/emulator-process.ts";
import { cpuSecondsOf } from "../lib/process-cpu.ts";
import { runPostgresWorker } from "./postgres-side.ts";

const contacts = Number(process.env.BENCH_CONTACTS ?? 50_000);

function workerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && cmd.includes("worker")) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

async function main() {
  const emulator = await startEmulatorProcess([
    ...["--contacts", String(contacts), "--companies", "2000", "--deals", "10"],
    ...["--rate-limit-max", "100000000", "--rate-limit-daily", "1000000000"],
  ]);
  const admin = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await admin.connect();
  const started = new Date();
  const samples = new Map<string, number>();
  const backendCpu = new Map<number, number>();
  const workerCpu = new Map<number, number>();
  let database: string | undefined;
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      if (!database) {
        const { rows } = await admin.query<{ datname: string }>(
          "SELECT datname FROM pg_database WHERE datname LIKE 'bench_sync_throughput_%' ORDER BY oid DESC LIMIT 1",
        );
        const found = rows[0]?.datname;
        if (found) {
          database = found;
          // An experiment only (how much of the time is waiting for WAL flushes), never a product setting.
          if (process.env.PROFILE_ASYNC_COMMIT)
            await admin.query(`ALTER DATABASE ${found} SET synchronous_commit = off`);
          if (process.env.PROFILE_LOG_STATEMENTS) {
            await admin.query(`ALTER DATABASE ${found} SET log_min_duration_statement = 0`);
            await admin.query(`ALTER DATABASE ${found} SET log_parameter_max_length = 0`);
          }
        }
      } else {
        const { rows } = await admin.query<{ pid: number; state: string; wait: string; query: string }>(
          `SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [database],
        );
        for (const row of rows) {
          const cpu = cpuSecondsOf(row.pid);
          if (cpu !== undefined) backendCpu.set(row.pid, cpu);
          if (row.state !== "active") continue;
          const key = `${row.wait.padEnd(24)} ${row.query}`;
          samples.set(key, (samples.get(key) ?? 0) + 1);
        }
      }
      for (const pid of workerPids()) {
        const cpu = cpuSecondsOf(pid);
        if (cpu !== undefined) workerCpu.set(pid, cpu);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const dir = mkdtempSync(join(tmpdir(), "bench-pgprof-"));
  // Only the worker is profiled (it inherits NODE_OPTIONS); the emulator is already running.
  if (process.env.PROFILE_CPU_DIR) {
    process.env.NODE_OPTIONS = `--import=${fromRoot("bench/lib/cpu-profile-hook.mjs")}`;
    process.env.BENCH_CPU_PROFILE_DIR = process.env.PROFILE_CPU_DIR;
  }
  try {
    const result = await runPostgresWorker(emulator, dir);
    console.log(JSON.stringify(result));
  } finally {
    stop = true;
    await sampler;
    await admin.end();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const total = [...samples.values()].reduce((a, b) => a + b, 0);
  console.log(`database ${database}, started ${started.toISOString()}, active samples ${total}`);
  for (const [key, n] of [...samples].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${String(n).padStart(6)}  ${key}`);
  }
  const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(`backend CPU s: ${sum(backendCpu).toFixed(2)} over ${backendCpu.size} backends`, [
    ...backendCpu.values(),
  ]);
  console.log(`worker CPU s: ${sum(workerCpu).toFixed(2)}`, [...workerCpu]);
}

await main();
