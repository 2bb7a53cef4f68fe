/**
 * rate-limit: how well workers share ONE provider account's budget. 40 OAuth2 connections (BENCH_CONNECTIONS)
 * of one HubSpot portal — each authorised on its own, so each has its own tokens — are synced by 4
 * `switchyard worker` processes (BENCH_WORKERS) at once. The HubSpot emulator, in its own process, allows the
 * OAuth app 100 requests per 10 s on the portal, whichever token sends them (HubSpot's per-app limit).
 *
 * Measured at the emulator, not by the client: it keeps every 10-second window it opened with the requests
 * it accepted and refused (`GET /_emulator/rate-limit/windows`). `budget_used` is what it accepted over what
 * it would have allowed from the first window's start to the end of the last full window (the last
 * window, in which the work ran out, is left out); `share_429` is the share of all requests it refused.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OAuth2Credentials } from "../../src/core/index.ts";
import { authorizeInEmulator } from "../../src/emulator/testing.ts";
import { DEFAULT_OAUTH_SCOPES } from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { createGraphileJobQueue, SYNC_RUN_JOB, syncJobKey } from "../../src/scheduler/index.ts";
import {
  assertAllSucceeded,
  createBenchDatabase,
  finishedRuns,
  openBenchDeployment,
  seedSyncs,
  startWorker,
  untilRunsFinished,
  type WorkerProcess,
} from "../lib/deployment.ts";
import { startEmulatorProcess } from "../lib/emulator-process.ts";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 40);
const workerCount = Number(process.env.BENCH_WORKERS ?? 4);
/** Contacts each connection reads (the portal's; every connection reads them all). */
const contacts = Number(process.env.BENCH_CONTACTS ?? 2_500);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
const LIMIT = 100;
const WINDOW_MS = 10_000;
const WINDOW = "TEN_SECONDLY_ROLLING";
const REDIRECT = "http://127.0.0.1:9/bench-callback";
const APP = { clientId: "bench-rate-limit-app", clientSecret: "bench-rate-limit-secret" };

interface WindowRecord {
  caller: string;
  window: string;
  limit: number;
  windowMs: number;
  start: number;
  accepted: number;
  refused: number;
}

export async function run(): Promise<void> {
  const emulator = await startEmulatorProcess([
    ...["--contacts", String(contacts), "--companies", "20", "--deals", "10"],
    ...["--rate-limit-max", String(LIMIT), "--rate-limit-interval-ms", String(WINDOW_MS)],
    ...["--latency-ms", String(latencyMs)],
  ]);
  const database = await createBenchDatabase("rate_limit");
  const dataDir = mkdtempSync(join(tmpdir(), "bench-rate-limit-"));
  const deployment = await openBenchDeployment(database.url, dataDir);
  const workers: WorkerProcess[] = [];
  const queue = await createGraphileJobQueue({ connectionString: database.url });
  try {
    const appId = await registerApp(emulator.url);
    const grants: OAuth2Credentials[] = [];
    for (let i = 0; i < connections; i++) grants.push(await authorise(emulator.url));
    const syncs = await seedSyncs(deployment, {
      provider: "hubspot",
      count: connections,
      baseUrl: emulator.url,
      streams: ["contacts"],
      credentialsOf: (index) => grants[index]!,
    });
    const env = {
      SWITCHYARD_HUBSPOT_CLIENT_ID: APP.clientId,
      SWITCHYARD_HUBSPOT_CLIENT_SECRET: APP.clientSecret,
    };
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker(deployment, { env }));
    const started = Date.now();
    for (const sync of syncs)
      await queue.enqueue(SYNC_RUN_JOB, { syncId: sync.syncId }, { jobKey: syncJobKey(sync.syncId) });
    await untilRunsFinished(deployment.store, connections, workers, 60 * 60_000);
    const seconds = (Date.now() - started) / 1000;
    const runs = await finishedRuns(deployment.store);
    assertAllSucceeded(runs);
    const added = runs.reduce((sum, run) => sum + run.stats.recordsAdded, 0);
    if (added !== connections * contacts)
      throw new Error(`The runs added ${added} contacts, expected ${connections} x ${contacts}.`);

    const windows = await emulatorWindows(emulator.url);
    const callers = new Set(windows.map((w) => w.caller));
    if (callers.size !== 1 || !callers.has(`app:${appId}`))
      throw new Error(
        `Expected every request to count against the OAuth app ${appId}; callers: ${[...callers]}`,
      );
    process.stdout.write(
      `${JSON.stringify({
        bench: "rate-limit",
        ...budgetFigures(windows),
        connections,
        workers: workerCount,
        contacts,
        latency_ms: latencyMs,
        client_rate_limit_waits: runs.reduce((sum, run) => sum + run.stats.rateLimitWaits, 0),
        // Time the runs spent waiting on the budget, against their whole time: low means demand, not pacing, was short.
        client_wait_share: Number(
          (
            runs.reduce((sum, run) => sum + run.stats.rateLimitWaitMs, 0) /
            runs.reduce((sum, run) => sum + run.stats.durationMs, 0)
          ).toFixed(3),
        ),
        seconds: Number(seconds.toFixed(1)),
      })}\n`,
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await queue.stop();
    await deployment.store.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await emulator.stop();
  }
}

/** The figures from the emulator's windows (see the header). */
export function budgetFigures(windows: readonly WindowRecord[]) {
  const interval = windows.filter((w) => w.window === WINDOW).sort((a, b) => a.start - b.start);
  if (interval.length < 2)
    throw new Error("The run was too short: it must span two 10-second windows at least.");
  const full = interval.slice(0, -1);
  const first = full[0]!;
  const last = full.at(-1)!;
  const allowed = (first.limit * (last.start + last.windowMs - first.start)) / first.windowMs;
  const acceptedInFull = full.reduce((sum, w) => sum + w.accepted, 0);
  const accepted = interval.reduce((sum, w) => sum + w.accepted, 0);
  const refused = windows.reduce((sum, w) => sum + w.refused, 0);
  return {
    budget_used: Number((acceptedInFull / allowed).toFixed(3)),
    share_429: Number((refused / (accepted + refused)).toFixed(4)),
    requests: accepted + refused,
    refused,
    refused_by_window: Object.fromEntries(
      [...new Set(windows.map((w) => w.window))].map((name) => [
        name,
        windows.filter((w) => w.window === name).reduce((sum, w) => sum + w.refused, 0),
      ]),
    ),
    windows: full.length,
    accepted_per_window: full.map((w) => w.accepted),
  };
}

async function emulatorWindows(url: string): Promise<WindowRecord[]> {
  const response = await fetch(`${url}/_emulator/rate-limit/windows`);
  if (!response.ok) throw new Error(`The emulator's windows: HTTP ${response.status}`);
  return ((await response.json()) as { windows: WindowRecord[] }).windows;
}

async function registerApp(url: string): Promise<number> {
  const response = await fetch(`${url}/_emulator/oauth/apps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...APP, redirectUris: [REDIRECT], scopes: [...DEFAULT_OAUTH_SCOPES] }),
  });
  if (response.status !== 201) throw new Error(`Registering the OAuth app: HTTP ${response.status}`);
  return ((await response.json()) as { appId: number }).appId;
}

function authorise(url: string): Promise<OAuth2Credentials> {
  return authorizeInEmulator(
    {
      provider: "hubspot",
      authorizationUrl: `${url}/oauth/authorize`,
      tokenUrl: `${url}/oauth/v1/token`,
      ...APP,
      clientAuth: "client_secret_post",
      scopes: hubspot.oauth2?.scopes ?? [],
      pkce: true,
    },
    REDIRECT,
  );
}
