/**
 * webhooks: how long a change in a provider takes to reach the product. From a contact created or updated
 * through the HubSpot emulator's API to the record in Switchyard's records cache and a `records.changed`
 * delivery received by the product's endpoint (a receiver on loopback in this process), through the
 * emulator's signed v3 webhooks (subscribed through HubSpot's webhooks API), the inbound receiver, processor
 * and outbound worker. Baseline in the same run: the same kind of change picked up by polling, an
 * incremental sync of the contacts at the shortest allowed interval (MIN_INTERVAL_MS, 30 s).
 *
 * The emulator (`dist/`) and Switchyard (`server.mjs`, from `dist/`) each run in their own process; each side
 * gets a fresh Switchyard process and store. A change counts as seen when a `records.changed` delivery
 * naming its id arrived after it was made AND, once the server stopped, the cached record holds the new
 * value; `lost` is the changes made minus those seen, once nothing more arrived for 30 s (90 s polling).
 *
 * Settings (environment): BENCH_EVENTS (webhook side, default 300), BENCH_RATE (changes per second on the
 * webhook side, default 20), BENCH_POLL_EVENTS (default 20), BENCH_POLL_SECONDS (how long the polling side's
 * changes are spread over, default 60).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { MIN_INTERVAL_MS } from "../../src/scheduler/frequency.ts";
import { fromRoot, spawnNode, waitForJsonLine } from "../lib/child.ts";
import { startEmulatorProcess } from "../lib/emulator-process.ts";

const events = Number(process.env.BENCH_EVENTS ?? 300);
const rate = Number(process.env.BENCH_RATE ?? 20);
const pollEvents = Number(process.env.BENCH_POLL_EVENTS ?? 20);
const pollSeconds = Number(process.env.BENCH_POLL_SECONDS ?? 60);
const SEEDED_CONTACTS = 500;
/** The developer API key the emulator's webhooks API takes (src/providers/hubspot/emulator/webhooks.ts). */
const DEVELOPER_API_KEY = "emulator-developer-api-key";
const APP = { clientId: "bench-webhooks", clientSecret: "bench-webhooks-client-secret" };

type Emulator = Awaited<ReturnType<typeof startEmulatorProcess>>;

/** The product's endpoint: every `records.changed` delivery, with when it arrived. */
class Receiver {
  /** Record id → when deliveries naming it arrived (performance.now()). */
  readonly seen = new Map<string, number[]>();
  syncsCompleted = 0;
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const at = performance.now();
        const message = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          type: string;
          data: Record<string, unknown>;
        };
        if (message.type === "sync.completed") this.syncsCompleted += 1;
        if (message.type === "records.changed") {
          for (const kind of ["added", "updated", "deleted"]) {
            for (const id of message.data[kind] as string[]) {
              const times = this.seen.get(id) ?? [];
              times.push(at);
              this.seen.set(id, times);
            }
          }
        }
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** When the first delivery naming `id` after `since` arrived, if one did. */
  firstAfter(id: string, since: number): number | undefined {
    return this.seen.get(id)?.find((at) => at >= since);
  }

  reset(): void {
    this.seen.clear();
    this.syncsCompleted = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** One change made through the emulator's CRM API: the contact, the first name it now has, and when. */
interface Change {
  id: string;
  firstname: string;
  madeAt: number;
}

interface SwitchyardProcess {
  child: ChildProcess;
  url: string;
  environmentId: string;
  dataDir: string;
}

async function startSwitchyard(config: Record<string, unknown>): Promise<SwitchyardProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "bench-webhooks-"));
  const child = spawnNode(fromRoot("bench/webhooks/server.mjs"), [JSON.stringify({ ...config, dataDir })]);
  const ready = await waitForJsonLine<{ event: string; url: string; environmentId: string }>(
    child,
    (value) => value.event === "listening",
  );
  return { child, url: ready.url, environmentId: ready.environmentId, dataDir };
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function json(response: Response): Promise<unknown> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** The emulator's CRM API, as the account's private app calls it. */
function crm(emulator: Emulator, method: string, path: string, body?: unknown): Promise<unknown> {
  return fetch(`${emulator.url}/crm/v3/objects/contacts${path}`, {
    method,
    headers: {
      authorization: `Bearer ${emulator.token}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }).then(json);
}

/** HubSpot's webhooks API for the app, with the developer API key. */
function hubspotWebhooksApi(emulator: Emulator, appId: number, method: string, path: string, body?: unknown) {
  return fetch(`${emulator.url}/webhooks/v3/${appId}${path}?hapikey=${DEVELOPER_API_KEY}`, {
    method,
    ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  }).then(json);
}

/**
 * Makes `count` changes at the given offsets (ms from now): even ones create a contact, odd ones change the
 * first name of a seeded contact not touched before. Resolves once every request was answered.
 */
async function makeChanges(
  emulator: Emulator,
  seeded: string[],
  offsets: number[],
  label: string,
): Promise<Change[]> {
  const start = performance.now();
  return Promise.all(
    offsets.map(async (offset, n) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + offset - performance.now())));
      const firstname = `${label}-${n}`;
      const madeAt = performance.now();
      if (n % 2 === 0) {
        const created = (await crm(emulator, "POST", "", {
          properties: { firstname, lastname: "Bench", email: `${label}-${n}@bench.example` },
        })) as { id: string };
        return { id: created.id, firstname, madeAt };
      }
      const id = seeded.pop();
      if (!id) throw new Error("Not enough seeded contacts to change; lower the event counts.");
      await crm(emulator, "PATCH", `/${id}`, { properties: { firstname } });
      return { id, firstname, madeAt };
    }),
  );
}

/**
 * Waits until every change was delivered, or nothing more arrived for `quietMs` (after the last change was
 * made): what has not arrived then is lost, not late.
 */
async function untilDelivered(receiver: Receiver, changes: Change[], quietMs: number): Promise<void> {
  let progressAt = Math.max(...changes.map((change) => change.madeAt));
  let delivered = 0;
  while (performance.now() < progressAt + quietMs) {
    const now = changes.filter(
      (change) => receiver.firstAfter(change.id, change.madeAt) !== undefined,
    ).length;
    if (now === changes.length) return;
    if (now > delivered) {
      delivered = now;
      progressAt = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The first names the records cache holds for these contacts (read from the stopped server's store). */
function cachedFirstNames(dataDir: string, connectionIds: string[]): Map<string, string> {
  const db = new Database(join(dataDir, "switchyard.db"), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT pk, payload FROM records WHERE stream = 'contacts' AND connection_id IN (${connectionIds.map(() => "?").join(",")})`,
      )
      .all(...connectionIds) as { pk: string; payload: string }[];
    return new Map(
      rows.map((row) => [row.pk, (JSON.parse(row.payload) as { firstname?: string }).firstname ?? ""]),
    );
  } finally {
    db.close();
  }
}

function connectionIdsOf(dataDir: string): string[] {
  const db = new Database(join(dataDir, "switchyard.db"), { readonly: true });
  try {
    return (db.prepare("SELECT id FROM connections").all() as { id: string }[]).map((row) => row.id);
  } finally {
    db.close();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface SideResult {
  events: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  lost: number;
}

/** Latencies of the changes seen (delivered after they were made, and cached with their new value). */
function measure(receiver: Receiver, changes: Change[], dataDir: string): SideResult {
  const cached = cachedFirstNames(dataDir, connectionIdsOf(dataDir));
  const latencies: number[] = [];
  for (const change of changes) {
    const deliveredAt = receiver.firstAfter(change.id, change.madeAt);
    if (deliveredAt === undefined || cached.get(change.id) !== change.firstname) continue;
    latencies.push(deliveredAt - change.madeAt);
  }
  latencies.sort((a, b) => a - b);
  return {
    events: changes.length,
    p50_ms: Math.round(percentile(latencies, 50)),
    p99_ms: Math.round(percentile(latencies, 99)),
    max_ms: Math.round(latencies.at(-1) ?? Number.NaN),
    lost: changes.length - latencies.length,
  };
}

async function seededContactIds(emulator: Emulator): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = (await crm(emulator, "GET", `?limit=100${after ? `&after=${after}` : ""}`)) as {
      results: { id: string }[];
      paging?: { next?: { after: string } };
    };
    ids.push(...page.results.map((contact) => contact.id));
    after = page.paging?.next?.after;
  } while (after);
  return ids;
}

/** The webhook side: subscriptions through HubSpot's webhooks API to this Switchyard's receiving URL. */
async function webhookSide(
  emulator: Emulator,
  appId: number,
  receiver: Receiver,
  seeded: string[],
): Promise<SideResult> {
  const switchyard = await startSwitchyard({
    emulatorUrl: emulator.url,
    token: emulator.token,
    receiverUrl: receiver.url,
    ...APP,
  });
  try {
    await hubspotWebhooksApi(emulator, appId, "PUT", "/settings", {
      targetUrl: `${switchyard.url}/v1/webhooks/${switchyard.environmentId}/hubspot`,
      throttling: { maxConcurrentRequests: 10 },
    });
    await hubspotWebhooksApi(emulator, appId, "POST", "/subscriptions", { eventType: "contact.creation" });
    await hubspotWebhooksApi(emulator, appId, "POST", "/subscriptions", {
      eventType: "contact.propertyChange",
      propertyName: "firstname",
    });
    const offsets = Array.from({ length: events }, (_, n) => (n * 1_000) / rate);
    const changes = await makeChanges(emulator, seeded, offsets, "hook");
    await untilDelivered(receiver, changes, 30_000);
    // No more deliveries to this process: the polling side must see none of them.
    await hubspotWebhooksApi(emulator, appId, "DELETE", "/settings");
    await stopProcess(switchyard.child);
    return measure(receiver, changes, switchyard.dataDir);
  } finally {
    await stopProcess(switchyard.child);
    if (process.env.BENCH_KEEP) process.stderr.write(`kept ${switchyard.dataDir}\n`);
    else rmSync(switchyard.dataDir, { recursive: true, force: true });
  }
}

/** The polling side: an incremental sync of the contacts every MIN_INTERVAL_MS, no webhooks. */
async function pollingSide(emulator: Emulator, receiver: Receiver, seeded: string[]): Promise<SideResult> {
  const switchyard = await startSwitchyard({
    emulatorUrl: emulator.url,
    token: emulator.token,
    receiverUrl: receiver.url,
    frequency: `${MIN_INTERVAL_MS / 1_000}s`,
    ...APP,
  });
  try {
    // The first run (due at once) reads every contact; changes are made after it.
    const deadline = performance.now() + 120_000;
    while (receiver.syncsCompleted === 0) {
      if (performance.now() > deadline) throw new Error("The polling side's first sync did not complete.");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const offsets = Array.from({ length: pollEvents }, () => Math.random() * pollSeconds * 1_000).sort(
      (a, b) => a - b,
    );
    const changes = await makeChanges(emulator, seeded, offsets, "poll");
    await untilDelivered(receiver, changes, 2 * MIN_INTERVAL_MS + 30_000);
    await stopProcess(switchyard.child);
    return measure(receiver, changes, switchyard.dataDir);
  } finally {
    await stopProcess(switchyard.child);
    if (process.env.BENCH_KEEP) process.stderr.write(`kept ${switchyard.dataDir}\n`);
    else rmSync(switchyard.dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const emulator = await startEmulatorProcess([
    ...["--contacts", String(SEEDED_CONTACTS), "--companies", "10", "--deals", "10"],
    ...["--rate-limit-max", "100000000", "--rate-limit-daily", "1000000000"],
  ]);
  const receiver = new Receiver();
  try {
    await receiver.start();
    // The app whose client secret signs the webhooks (HubSpot signs with the app's secret).
    const app = (await fetch(`${emulator.url}/_emulator/oauth/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...APP, redirectUris: ["http://127.0.0.1/callback"], scopes: [] }),
    }).then(json)) as { appId: number };
    const seeded = await seededContactIds(emulator);
    if (seeded.length < events / 2 + pollEvents / 2 + 1)
      throw new Error(`The emulator seeded ${seeded.length} contacts: too few for the changes asked for.`);
    const webhooks = await webhookSide(emulator, app.appId, receiver, seeded);
    receiver.reset();
    const polling = await pollingSide(emulator, receiver, seeded);
    process.stdout.write(
      `${JSON.stringify({
        bench: "webhooks",
        ...webhooks,
        rate_per_s: rate,
        polling_p50_ms: polling.p50_ms,
        baseline_ratio: Number((webhooks.p50_ms / polling.p50_ms).toFixed(4)),
      })}\n`,
    );
    process.stdout.write(
      `${JSON.stringify({ bench: "webhooks-polling", ...polling, interval_ms: MIN_INTERVAL_MS })}\n`,
    );
  } finally {
    await receiver.close();
    await emulator.stop();
  }
}
