/**
 * Test helper (not shipped behaviour): the API over a given store (SQLite or Postgres), with a `dev` and a
 * `prod` environment and a typed client for each, and a way to put finished runs in the past — what the
 * issues, overview and run-timeline route tests share.
 */

import { issueApiKey } from "../../app/api-keys/api-keys.ts";
import { createClient, type SwitchyardClient } from "../../client/index.ts";
import type { RunStats } from "../../core/index.ts";
import { emptyRunStats } from "../../core/index.ts";
import {
  appendRunLogs,
  createConnection,
  createRun,
  ensureEnvironment,
  finishRun,
  type Store,
} from "../../store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../vault/index.ts";
import { buildServer } from "../app.ts";
import type { AnyRoute } from "../route.ts";
import { injectFetch } from "../test-harness.ts";
import { issueRoutes } from "./issues.ts";
import { overviewRoutes } from "./overview.ts";
import { runTimelineRoutes } from "./run-timeline.ts";

export interface ApiWorld {
  dev: SwitchyardClient;
  prod: SwitchyardClient;
  environments: { dev: string; prod: string };
  /** A connection of `provider` in an environment (dev by default), with placeholder credentials. */
  connection(options?: { provider?: string; env?: "dev" | "prod"; endUser?: string }): Promise<string>;
  /** A run of the connection that finished `agoMs` before now, as the engine leaves it. */
  finishedRun(connectionId: string, run: PastRun): Promise<string>;
  close(): Promise<void>;
}

export interface PastRun {
  status: "succeeded" | "failed";
  agoMs: number;
  durationMs?: number;
  error?: { code: string; message: string; hint?: string };
  stats?: Partial<RunStats>;
  /** The streams the run read, as its first log line names them. */
  streams?: string[];
  syncId?: string;
}

export async function openApiWorld(store: Store): Promise<ApiWorld> {
  const app = buildServer(
    {
      db: store.db,
      vault: new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] }),
      // Known by its display name: issues are titled with it. Other providers are known by name only.
      providers: {
        hubspot: {
          name: "hubspot",
          displayName: "HubSpot",
          baseUrl: "http://127.0.0.1:9",
          auth: { type: "bearer" },
          streams: [],
          async checkCredentials() {},
        },
      },
    },
    // Only the routes under test: a route another engineer is still writing cannot break these tests.
    { log: false, routes: [...issueRoutes, ...overviewRoutes, ...runTimelineRoutes] as readonly AnyRoute[] },
  );
  const dev = await ensureEnvironment(store.db, "dev");
  const prod = await ensureEnvironment(store.db, "prod");
  const client = async (env: typeof dev) =>
    createClient({
      baseUrl: "http://switchyard.test",
      fetch: injectFetch(app),
      apiKey: (await issueApiKey(store.db, env, `test ${env.name}`)).secret,
    });
  return {
    dev: await client(dev),
    prod: await client(prod),
    environments: { dev: dev.id, prod: prod.id },
    async connection(options = {}) {
      const row = await createConnection(store.db, {
        environmentId: options.env === "prod" ? prod.id : dev.id,
        provider: options.provider ?? "hubspot",
        endUserId: options.endUser ?? "acme",
        sealedCredentials: "sealed",
      });
      return row.id;
    },
    async finishedRun(connectionId, past) {
      const run = await createRun(store.db, {
        connectionId,
        fullRefresh: false,
        ...(past.syncId ? { syncId: past.syncId } : {}),
      });
      if (past.streams) {
        await appendRunLogs(store.db, [
          {
            runId: run.id,
            seq: 0,
            at: new Date().toISOString(),
            level: "info",
            message: "Run started for test",
            fields: { streams: past.streams, fullRefresh: false },
          },
        ]);
      }
      await finishRun(store.db, run.id, {
        status: past.status,
        stats: { ...emptyRunStats(), ...past.stats },
        ...(past.error ? { error: past.error } : {}),
      });
      const finishedAt = Date.now() - past.agoMs;
      await store.db
        .updateTable("runs")
        .set({
          started_at: new Date(finishedAt - (past.durationMs ?? 1_000)).toISOString(),
          finished_at: new Date(finishedAt).toISOString(),
        })
        .where("id", "=", run.id)
        .execute();
      return run.id;
    },
    async close() {
      await app.close();
    },
  };
}
