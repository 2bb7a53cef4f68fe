/**
 * A process killed (SIGKILL) between persisting an inbound webhook and processing it: the provider got its
 * 200 (the event is stored), the process dies while it applies the event, and the next process, over the
 * same SQLite file, processes it. The first process runs in a child; its provider's fetch never answers, so
 * the kill falls after the persist and before the apply.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { createInboundProcessor } from "../../src/app/webhooks-inbound/processor.ts";
import { createConnection, ensureEnvironment, saveInboundSecret } from "../../src/store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../src/vault/index.ts";
import { AcmeTruth, acmeProvider, SECRET } from "../helpers/acme-webhooks.ts";
import { openTempStore } from "../helpers/temp-store.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const at = (path: string) => JSON.stringify(new URL(path, import.meta.url).pathname);

/** The first process: the API and the processor over the store, its provider hanging on every fetch. */
function spawnServer(storePath: string, vaultKey: string): ChildProcess {
  const code = `
    import { createInboundProcessor } from ${at("../../src/app/webhooks-inbound/processor.ts")};
    import { buildServer } from ${at("../../src/server/app.ts")};
    import { openStore } from ${at("../../src/store/index.ts")};
    import { parseVaultKey, Vault } from ${at("../../src/vault/index.ts")};
    import { AcmeTruth, acmeProvider } from ${at("../helpers/acme-webhooks.ts")};
    const store = await openStore({ kind: "sqlite", path: process.env.STORE_PATH });
    const vault = new Vault({ current: parseVaultKey(process.env.VAULT_KEY), previous: [] });
    const acme = acmeProvider(new AcmeTruth());
    acme.webhooks.fetchRecord = async () => {
      process.stdout.write(JSON.stringify({ event: "fetching" }) + "\\n");
      return new Promise(() => {});
    };
    const deps = { db: store.db, vault, providers: { acme } };
    const processor = createInboundProcessor(deps);
    deps.inboundWebhooks = processor;
    const app = buildServer(deps, { log: false, rateLimit: false });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    processor.start();
    process.stdout.write(JSON.stringify({ event: "listening", url }) + "\\n");
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    env: { ...process.env, STORE_PATH: storePath, VAULT_KEY: vaultKey },
    stdio: ["ignore", "pipe", "inherit"],
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return child;
}

/** Resolves with each JSON line the child prints, by its `event`. */
function linesOf(child: ChildProcess): (event: string) => Promise<Record<string, string>> {
  const waiting = new Map<string, (line: Record<string, string>) => void>();
  const seen = new Map<string, Record<string, string>>();
  createInterface({ input: child.stdout! }).on("line", (text) => {
    if (!text.startsWith("{")) return;
    const line = JSON.parse(text) as Record<string, string>;
    seen.set(line.event!, line);
    waiting.get(line.event!)?.(line);
  });
  return (event) =>
    new Promise((resolve, reject) => {
      const line = seen.get(event);
      if (line) return resolve(line);
      waiting.set(event, resolve);
      child.once("exit", (code) => reject(new Error(`the child exited (${code}) before "${event}"`)));
    });
}

it("a process killed between persisting and processing: the event is processed after the restart", async () => {
  const { store, dir, cleanup } = await openTempStore();
  cleanups.push(cleanup);
  const vaultKey = generateVaultKey();
  const vault = new Vault({ current: parseVaultKey(vaultKey), previous: [] });
  const environment = await ensureEnvironment(store.db, "dev");
  const connection = await createConnection(store.db, {
    environmentId: environment.id,
    provider: "acme",
    sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: "token-acct-1" })),
  });
  await saveInboundSecret(store.db, environment.id, "acme", vault.seal(SECRET));

  const child = spawnServer(join(dir, "switchyard.sqlite"), vaultKey);
  const next = linesOf(child);
  const { url } = await next("listening");
  const body = JSON.stringify([{ id: "k1", account: "acct-1", kind: "changed", item: "7" }]);
  const answer = await fetch(`${url}/v1/webhooks/${environment.id}/acme`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  expect(answer.status).toBe(200);
  // The provider has its 2xx; the process is applying the event when it is killed.
  await next("fetching");
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  const statuses = async () => {
    const rows = await sql<{ status: string; n: number }>`
      select status, count(*) as n from inbound_webhook_events group by status`.execute(store.db);
    return Object.fromEntries(rows.rows.map((row) => [row.status, Number(row.n)]));
  };
  expect(await statuses()).toEqual({ received: 1 });

  // The next process: its processor finds the event waiting and applies it.
  const truth = new AcmeTruth();
  truth.records.set("7", { id: "7", name: "seven", deleted: false });
  const processor = createInboundProcessor({ db: store.db, vault, providers: { acme: acmeProvider(truth) } });
  processor.start();
  await processor.idle();
  await processor.stop();
  expect(await statuses()).toEqual({ processed: 1 });
  expect(truth.fetches).toBe(1);
  const cached = await store.db
    .selectFrom("records")
    .select("payload")
    .where("connection_id", "=", connection.id)
    .where("pk", "=", "7")
    .executeTakeFirst();
  expect(JSON.parse(cached!.payload)).toMatchObject({ name: "seven" });
}, 60_000);
