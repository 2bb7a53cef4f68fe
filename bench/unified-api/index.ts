/**
 * unified-api: the unified contacts list (`GET /api/crm/v1/contacts?page_size=100`) over N cached HubSpot
 * contacts (default 1,000,000), under concurrent load from a second process (autocannon), against a baseline
 * measured in the same run: a bare Fastify route returning the same rows straight from SQLite.
 *
 * 1. `seed.mjs` fills a fresh store through the records cache and times the projection into
 *    `unified_objects` (its own JSON line).
 * 2. `server.mjs` (the built Switchyard API) and `baseline.mjs` serve that store, each in its own process;
 *    both are checked to return the same page for every variant before any load.
 * 3. Per variant, `load.mjs` loads one side then the other, `BENCH_ROUNDS` times (default 3; the order
 *    alternates), and the medians are printed: the first page without a filter and with `modified_after`,
 *    and pages spread over the whole list (cursors at 200 positions, taken in turn), without and with the
 *    filter. Beside the rates, each server's CPU time per request (`cpu_ratio`: the baseline's over ours),
 *    which a busy machine disturbs much less than requests per second.
 *
 * Settings (environment): BENCH_CONTACTS, BENCH_MODIFIED_FRACTION (the share of contacts `modified_after`
 * selects, default 0.1), BENCH_CONNECTIONS (default 10), BENCH_DURATION (seconds per side and variant,
 * default 10), BENCH_WARMUP (seconds, default 2), BENCH_VARIANTS (comma-separated names, default all),
 * BENCH_KEEP_DIR (a folder to seed once and keep: later runs with the same folder skip the seed, to iterate
 * on the read path; delete the folder when done, or after changing the projection or the contact count).
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { encodeCursor } from "../../src/app/unified/reads.ts";
import { fromRoot, spawnNode, waitForJsonLine } from "../lib/child.ts";
import { cpuSecondsOf } from "../lib/process-cpu.ts";

const contacts = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const modifiedFraction = Number(process.env.BENCH_MODIFIED_FRACTION ?? 0.1);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const duration = Number(process.env.BENCH_DURATION ?? 10);
const warmup = Number(process.env.BENCH_WARMUP ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const PAGE_SIZE = 100;
/** The Node flags of `npm start` (package.json), for both servers. */
const NODE_FLAGS = ["--max-semi-space-size=4"];

interface Seeded {
  event: "seeded";
  contacts: number;
  connectionId: string;
  apiKey: string;
  accountToken: string;
  modifiedAfter: string;
  /** [id, modified_at] of live contacts spread over the list, in id order. */
  byId: [string, string][];
  /** The same over the contacts `modifiedAfter` selects, in modified_at order. */
  byModified: [string, string][];
}

interface LoadResult {
  p50_ms: number;
  p99_ms: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
}

type Measured = LoadResult & { cpu_ms_per_request?: number };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of measurements that may be missing (CPU time, outside Linux); undefined if any is. */
function medianOf(values: (number | undefined)[]): number | undefined {
  return values.every((value) => value !== undefined) ? Number(median(values).toFixed(3)) : undefined;
}

interface Server {
  url: string;
  child: ChildProcess;
}

/** One load: which filter, and where its pages start (for Switchyard and for the baseline). */
interface Variant {
  name: string;
  filter: "none" | "modified_after";
  pages: "first" | "spread";
  ours: string[];
  baseline: string[];
}

/** Runs the seed, passing its phase lines through; resolves with its final `seeded` line. */
async function seed(storePath: string): Promise<Seeded> {
  const child = spawnNode(fromRoot("bench/unified-api/seed.mjs"), [
    storePath,
    String(contacts),
    String(modifiedFraction),
  ]);
  const lines = createInterface({ input: child.stdout! });
  let seeded: Seeded | undefined;
  lines.on("line", (line) => {
    if (!line.startsWith("{")) return;
    const value = JSON.parse(line) as { event?: string };
    if (value.event === "seeded") seeded = value as Seeded;
    else process.stdout.write(`${line}\n`);
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0 || !seeded) throw new Error(`seed.mjs exited with ${code}`);
  return seeded;
}

async function startServer(script: string, storePath: string, nodeFlags: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [...nodeFlags, fromRoot(script), storePath], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = await waitForJsonLine<{ event: string; url: string }>(child, (v) => v.event === "listening");
  return { url: ready.url, child };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.child.once("exit", () => resolve());
    server.child.kill("SIGTERM");
  });
}

function variants(seeded: Seeded): Variant[] {
  const ours = (params: Record<string, string>) =>
    `/api/crm/v1/contacts?${new URLSearchParams({ page_size: String(PAGE_SIZE), ...params })}`;
  const theirs = (params: Record<string, string>) =>
    `/contacts?${new URLSearchParams({ connection_id: seeded.connectionId, page_size: String(PAGE_SIZE), ...params })}`;
  const since = { modified_after: seeded.modifiedAfter };
  return [
    { name: "first-page", filter: "none", pages: "first", ours: [ours({})], baseline: [theirs({})] },
    {
      name: "first-page-modified-after",
      filter: "modified_after",
      pages: "first",
      ours: [ours(since)],
      baseline: [theirs(since)],
    },
    {
      name: "spread",
      filter: "none",
      pages: "spread",
      ours: seeded.byId.map(([id]) => ours({ cursor: encodeCursor({ direction: "next", id }) })),
      baseline: seeded.byId.map(([id]) => theirs({ after_id: id })),
    },
    {
      name: "spread-modified-after",
      filter: "modified_after",
      pages: "spread",
      ours: seeded.byModified.map(([id, at]) =>
        ours({ ...since, cursor: encodeCursor({ direction: "next", id, sortValue: at }) }),
      ),
      baseline: seeded.byModified.map(([id, at]) => theirs({ ...since, after_id: id, after_modified: at })),
    },
  ];
}

/** Both sides must serve the same full page for a variant's first path, or the comparison is void. */
async function checkSamePage(
  variant: Variant,
  ours: Server,
  baseline: Server,
  headers: Record<string, string>,
): Promise<void> {
  const idsOf = async (url: string, init?: RequestInit) => {
    const response = await fetch(url, init);
    if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { results: { id: string }[] };
    return page.results.map((result) => result.id);
  };
  if (variant.ours.length === 0) {
    throw new Error(
      `${variant.name}: no page to load; BENCH_CONTACTS or BENCH_MODIFIED_FRACTION is too small`,
    );
  }
  const mine = await idsOf(`${ours.url}${variant.ours[0]}`, { headers });
  const floor = await idsOf(`${baseline.url}${variant.baseline[0]}`);
  if (mine.length !== PAGE_SIZE || mine.join() !== floor.join()) {
    throw new Error(
      `${variant.name}: Switchyard and the baseline serve different pages (${mine.length} and ${floor.length} objects; a page has ${PAGE_SIZE}: is BENCH_CONTACTS large enough?)`,
    );
  }
}

async function load(
  dir: string,
  server: Server,
  paths: string[],
  headers: Record<string, string>,
  seconds = duration,
): Promise<Measured> {
  const plan = join(dir, "plan.json");
  writeFileSync(
    plan,
    JSON.stringify({ url: server.url, headers, paths, connections, duration: seconds, warmup }),
  );
  const child = spawnNode(fromRoot("bench/unified-api/load.mjs"), [plan]);
  // The warm-up's requests are not counted: the CPU count starts when the measured part does.
  let cpuAtStart: number | undefined;
  const timer = setTimeout(() => {
    cpuAtStart = cpuSecondsOf(server.child.pid);
  }, warmup * 1000);
  const result = await waitForJsonLine<LoadResult>(child);
  clearTimeout(timer);
  const cpuAtEnd = cpuSecondsOf(server.child.pid);
  await new Promise((resolve) => child.once("exit", resolve));
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${server.url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  }
  const cpu =
    cpuAtStart !== undefined && cpuAtEnd !== undefined && result.requests > 0
      ? { cpu_ms_per_request: Number((((cpuAtEnd - cpuAtStart) * 1000) / result.requests).toFixed(3)) }
      : {};
  return { ...result, ...cpu };
}

/** The seed's result: from the kept folder when it has one, else from seeding (and kept if asked). */
async function seededStore(dir: string, keep: boolean): Promise<Seeded> {
  const saved = join(dir, "seeded.json");
  if (keep && existsSync(saved)) return JSON.parse(readFileSync(saved, "utf8")) as Seeded;
  const result = await seed(join(dir, "switchyard.sqlite"));
  if (keep) writeFileSync(saved, JSON.stringify(result));
  return result;
}

export async function run(): Promise<void> {
  const keep = process.env.BENCH_KEEP_DIR;
  if (keep) mkdirSync(keep, { recursive: true });
  const dir = keep ?? mkdtempSync(join(tmpdir(), "bench-unified-api-"));
  const storePath = join(dir, "switchyard.sqlite");
  const servers: Server[] = [];
  try {
    const seeded = await seededStore(dir, keep !== undefined);
    // Both run with the Node flags of `npm start`.
    const ours = await startServer("bench/unified-api/server.mjs", storePath, NODE_FLAGS);
    servers.push(ours);
    const baseline = await startServer("bench/unified-api/baseline.mjs", storePath, NODE_FLAGS);
    servers.push(baseline);
    const headers = { authorization: `Bearer ${seeded.apiKey}`, "x-account-token": seeded.accountToken };
    const wanted = process.env.BENCH_VARIANTS?.split(",");
    const all = variants(seeded).filter((variant) => !wanted || wanted.includes(variant.name));
    for (const variant of all) await checkSamePage(variant, ours, baseline, headers);
    // A fresh process compiles its hot paths during its first thousands of requests: warm both servers up on
    // every variant's pages before anything is measured, so the first variant is not charged for it.
    await load(
      dir,
      ours,
      all.flatMap((variant) => variant.ours),
      headers,
      warmup * 5,
    );
    await load(
      dir,
      baseline,
      all.flatMap((variant) => variant.baseline),
      {},
      warmup * 5,
    );
    for (const [index, variant] of all.entries()) {
      const mine: Measured[] = [];
      const floor: Measured[] = [];
      for (let round = 0; round < rounds; round++) {
        // Alternate who goes first so neither side always gets the warmer machine.
        if ((index + round) % 2 === 1) mine.push(await load(dir, ours, variant.ours, headers));
        floor.push(await load(dir, baseline, variant.baseline, {}));
        if ((index + round) % 2 === 0) mine.push(await load(dir, ours, variant.ours, headers));
      }
      const rps = median(mine.map((m) => m.rps));
      const baselineRps = median(floor.map((m) => m.rps));
      const cpu = medianOf(mine.map((m) => m.cpu_ms_per_request));
      const baselineCpu = medianOf(floor.map((m) => m.cpu_ms_per_request));
      process.stdout.write(
        `${JSON.stringify({
          bench: "unified-api",
          contacts: seeded.contacts,
          rounds,
          filter: variant.filter,
          pages: variant.pages,
          p50_ms: median(mine.map((m) => m.p50_ms)),
          p99_ms: median(mine.map((m) => m.p99_ms)),
          rps: Math.round(rps),
          baseline_rps: Math.round(baselineRps),
          baseline_ratio: Number((rps / baselineRps).toFixed(3)),
          baseline_p50_ms: median(floor.map((m) => m.p50_ms)),
          baseline_p99_ms: median(floor.map((m) => m.p99_ms)),
          ...(cpu !== undefined && baselineCpu !== undefined
            ? {
                cpu_ms_per_request: cpu,
                baseline_cpu_ms_per_request: baselineCpu,
                cpu_ratio: Number((baselineCpu / cpu).toFixed(3)),
              }
            : {}),
        })}\n`,
      );
    }
  } finally {
    await Promise.all(servers.map(stop));
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}
