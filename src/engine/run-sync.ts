import {
  type Credentials,
  type Destination,
  describeError,
  emptyRunStats,
  type HttpClient,
  type HttpEvent,
  type PreparedRecord,
  type ProviderDefinition,
  type RunStats,
  type StreamPage,
  SwitchyardError,
} from "../core/index.ts";
import { RecordsCache } from "../destinations/records-cache.ts";
import {
  type AccessTokenSource,
  createHttpClient,
  getSharedBudget,
  providerAccountKey,
} from "../http/index.ts";
import {
  countCommittedRecords,
  countHttpEvent,
  countRunFinished,
  countRunStarted,
} from "../metrics/index.ts";
import { createRun, finishRun, type Run, type Store, updateRunStats } from "../store/index.ts";
import { catchUp } from "./catch-up.ts";
import { applyDiffDeletes, commitBatch, type Replica, type StreamSink } from "./commit.ts";
import { prepareRecords } from "./prepare-records.ts";
import { readAhead } from "./read-ahead.ts";
import { startRunHeartbeat } from "./run-heartbeat.ts";
import { BufferedRunLogger, type LogSink } from "./run-logger.ts";
import { isRequestedFullRefresh, planRun, recordPlans, type StreamPlan } from "./run-plan.ts";
import { advanceEnvelope, completeFullRefresh, saveEnvelope } from "./stream-envelope.ts";
import { streamTargetOf } from "./stream-target.ts";

export interface SyncJob {
  store: Store;
  provider: ProviderDefinition;
  connection: {
    id: string;
    credentials: Credentials;
    /** Overrides the provider's base URL (emulators, sandboxes). */
    baseUrl?: string;
    /**
     * Let requests reach loopback, private and link-local addresses: only for a connection whose environment
     * allows private addresses (emulators on this machine). Off by default (the SSRF guard, see src/http).
     */
    allowPrivateAddresses?: boolean;
    /** For OAuth2 credentials: supplies and renews the access token (refreshed tokens are stored by it). */
    tokens?: AccessTokenSource;
    /** The provider's own id of the account (HubSpot's portal id): its connections share one rate-limit budget. */
    accountId?: string;
  };
  /** Stream names; all of the provider's streams when omitted. */
  streams?: readonly string[];
  /**
   * Re-read everything and delete what is gone, instead of reading from the cursor. A run that was killed
   * during a full refresh leaves it on record for each of its streams: the next run finishes it either way.
   */
  fullRefresh?: boolean;
  /**
   * Destinations besides the records cache, which is always written. Each is sent what is new to it, and
   * first whatever the cache holds that it has not synced (see catchUp).
   */
  destinations?: readonly Destination[];
  signal?: AbortSignal;
  /** Called after every commit and HTTP event with the run's counters so far. */
  onProgress?: (stats: RunStats, stream: string) => void;
  /** The sync this run executes; stored on the run (`runs.sync_id`). */
  syncId?: string;
  /**
   * Awaited when a stream starts (before its destinations are prepared) and when it has finished (after
   * its last commit and deletes). A stream that started and did not finish is the one the run failed on.
   */
  onStream?: (event: { runId: string; stream: string; phase: "started" | "finished" }) => Promise<void>;
  logSink?: LogSink;
  /** Most records per commit (default 10,000). */
  batchSize?: number;
  /** Most bytes of record JSON per commit (default 8 MiB), so large records make smaller batches. */
  batchBytes?: number;
  /** HTTP tuning, mostly for tests. */
  http?: { maxAttempts?: number; retryDelay?: { baseMs: number; maxMs: number }; timeoutMs?: number };
}

/** A page as the engine keeps it until its batch commits. */
interface PreparedPage {
  records: PreparedRecord[];
  state: StreamPage["state"];
}

/**
 * Records per commit. Each commit has a fixed cost in every destination (a DuckDB upsert statement costs
 * ~10 ms before its first row), so fewer, larger commits are faster. A batch is kept as text (see
 * PreparedRecord) and is also capped in bytes, so large records make smaller batches.
 */
const DEFAULT_BATCH_SIZE = 10_000;
const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
/** Commit at least this often, so checkpoints keep up with slow providers. */
const MAX_BATCH_AGE_MS = 2_000;

/**
 * Runs one sync of a connection and returns the finished run. Never throws for provider, record or
 * destination problems: those fail the run with a typed error, and state stays at the last commit.
 */
export async function runSync(job: SyncJob): Promise<Run> {
  const { db } = job.store;
  const planned = await planRun(db, {
    provider: job.provider,
    connectionId: job.connection.id,
    streams: job.streams,
    fullRefresh: job.fullRefresh ?? false,
  }).then(
    (plans) => ({ plans }),
    (error: unknown) => ({ error }),
  );
  const run = await createRun(db, {
    connectionId: job.connection.id,
    // Also true when this run finishes a full refresh that a killed run was asked for.
    fullRefresh: (job.fullRefresh ?? false) || ("plans" in planned && isRequestedFullRefresh(planned.plans)),
    ...(job.syncId ? { syncId: job.syncId } : {}),
  });
  const stopHeartbeat = startRunHeartbeat(db, run.id);
  countRunStarted(job.provider.name);
  const logger = new BufferedRunLogger(db, run.id, job.logSink);
  const stats = emptyRunStats();
  const started = performance.now();
  let currentStream = "";
  const report = () => {
    stats.durationMs = Math.round(performance.now() - started);
    job.onProgress?.(stats, currentStream);
  };

  const http = createHttpClient({
    // Errors name the provider as people know it ("HubSpot").
    provider: job.provider.displayName,
    baseUrl: job.connection.baseUrl ?? job.provider.baseUrl,
    allowPrivateAddresses: job.connection.allowPrivateAddresses ?? false,
    auth: job.provider.auth,
    credentials: job.connection.credentials,
    ...(job.connection.tokens ? { tokens: job.connection.tokens } : {}),
    ...(job.provider.rateLimit ? { rateLimit: job.provider.rateLimit } : {}),
    budget: getSharedBudget(
      providerAccountKey({
        provider: job.provider.name,
        baseUrl: job.connection.baseUrl ?? job.provider.baseUrl,
        credentials: job.connection.credentials,
        connectionId: job.connection.id,
        accountId: job.connection.accountId,
      }),
      job.store.db,
    ),
    onEvent: (event) => {
      recordHttpEvent(stats, event, logger);
      countHttpEvent(job.provider.name, event);
      report();
    },
    ...job.http,
  });

  let finished: Run;
  try {
    if ("error" in planned) throw planned.error;
    const plans = planned.plans;
    logger.log("info", `Run started for ${job.provider.name}`, {
      streams: plans.map((plan) => plan.stream.name),
      fullRefresh: run.fullRefresh,
    });
    await recordPlans(db, job.connection.id, plans);
    for (const plan of plans) {
      currentStream = plan.stream.name;
      await job.onStream?.({ runId: run.id, stream: plan.stream.name, phase: "started" });
      await syncStream(job, plan, http, { stats, logger, report });
      await job.onStream?.({ runId: run.id, stream: plan.stream.name, phase: "finished" });
    }
    stats.durationMs = Math.round(performance.now() - started);
    logger.log("info", "Run succeeded", { ...stats });
    await logger.flush();
    finished = await finishRun(db, run.id, { status: "succeeded", stats });
    countRunFinished(job.provider.name, "succeeded");
  } catch (error) {
    const summary = job.signal?.aborted
      ? describeError(
          new SwitchyardError("run_aborted", "The run was stopped before it finished.", {
            hint: "Run the sync again; it resumes from its last checkpoint.",
          }),
        )
      : describeError(error);
    stats.durationMs = Math.round(performance.now() - started);
    logger.log("error", summary.message, { ...summary });
    await logger.flush();
    finished = await finishRun(db, run.id, { status: "failed", stats, error: summary });
    countRunFinished(job.provider.name, "failed");
  } finally {
    stopHeartbeat();
    await http.close();
  }
  return finished;
}

interface RunContext {
  stats: RunStats;
  logger: BufferedRunLogger;
  report: () => void;
}

/**
 * Reads one stream page by page; commits batches to the records cache and every destination, then moves
 * the checkpoint. Destinations are first caught up on what the cache holds that they lack.
 */
async function syncStream(job: SyncJob, plan: StreamPlan, http: HttpClient, run: RunContext): Promise<void> {
  const { db } = job.store;
  const { stream } = plan;
  const connectionId = job.connection.id;
  const cache = new RecordsCache(db);
  const destinations = job.destinations ?? [];
  const batchSize = job.batchSize ?? DEFAULT_BATCH_SIZE;
  const target = streamTargetOf(job.provider.name, stream);
  await cache.prepare(target);
  for (const destination of destinations) await destination.prepare(target);
  const replicas: Replica[] = [];
  for (const destination of destinations) {
    const caughtUp = await catchUp({ cache, destination, connectionId, target, pageSize: batchSize });
    if (caughtUp.sent > 0) {
      run.logger.log(
        "info",
        `Sent ${destination.name} ${caughtUp.sent} cached ${stream.name} records it lacked`,
      );
    }
    replicas.push({ destination, syncedThrough: caughtUp.syncedThrough });
  }
  const sink: StreamSink = {
    cache,
    replicas,
    connectionId,
    target,
    rewriteUnchanged: plan.read.fullRefresh,
  };

  let envelope = plan.read.envelope;
  run.logger.log("info", `Reading ${stream.name}`, {
    mode: plan.read.fullRefresh ? "full_refresh" : "incremental",
    resumed: plan.read.state !== undefined,
  });

  const batchBytes = job.batchBytes ?? DEFAULT_BATCH_BYTES;
  /** Pages read since the last commit, already validated and hashed (so only their text is kept). */
  let pending: PreparedPage[] = [];
  let pendingRecords = 0;
  let pendingBytes = 0;
  let batchStartedAt = Date.now();
  /** The batch being committed while the next one is read; commits run one at a time, in order. */
  let inFlight: Promise<void> | undefined;

  const commitPages = async (pages: PreparedPage[]) => {
    const lastState = pages[pages.length - 1]!.state;
    const records = pages.flatMap((page) => page.records);
    const counts = await commitBatch(sink, records);
    run.stats.recordsAdded += counts.added;
    run.stats.recordsUpdated += counts.updated;
    run.stats.recordsUnchanged += counts.unchanged;
    run.stats.recordsDeleted += counts.deleted;
    countCommittedRecords(job.provider.name, stream.name, counts);
    envelope = advanceEnvelope(envelope, lastState);
    await saveEnvelope(db, connectionId, stream.name, envelope);
    run.logger.log("debug", `Committed ${records.length} ${stream.name} records`, {
      ...counts,
      pages: pages.length,
    });
    await run.logger.flush();
    await updateRunStats(db, run.logger.runId, run.stats);
    run.report();
  };
  const flush = async () => {
    if (pending.length === 0) return;
    const pages = pending;
    pending = [];
    pendingRecords = 0;
    pendingBytes = 0;
    batchStartedAt = Date.now();
    await inFlight;
    inFlight = commitPages(pages);
    // Handled here so it is never "unhandled"; the error still surfaces at the next await of inFlight.
    inFlight.catch(() => undefined);
  };

  const signal = job.signal ?? new AbortController().signal;
  const pages = stream.read({
    http,
    state: plan.read.state,
    fullRefresh: plan.read.fullRefresh,
    signal,
    log: run.logger,
  });
  try {
    for await (const page of readAhead(pages, 1)) {
      run.stats.pages += 1;
      const prepared = { records: prepareRecords(stream, page.records), state: page.state };
      pending.push(prepared);
      pendingRecords += prepared.records.length;
      for (const record of prepared.records) pendingBytes += record.json.length;
      const full = pendingRecords >= batchSize || pendingBytes >= batchBytes;
      if (full || Date.now() - batchStartedAt >= MAX_BATCH_AGE_MS) await flush();
      signal.throwIfAborted();
    }
    await flush();
    await inFlight;
  } catch (error) {
    // Never leave a commit running behind a failed read: the run's end must see its final state.
    await inFlight?.catch(() => undefined);
    throw error;
  }

  if (envelope.fullRefresh) {
    const deleted = await applyDiffDeletes(sink, envelope.fullRefresh.startedAt);
    run.stats.recordsDeleted += deleted;
    countCommittedRecords(job.provider.name, stream.name, { added: 0, updated: 0, deleted });
    if (deleted > 0)
      run.logger.log("info", `Marked ${deleted} ${stream.name} records deleted: gone from the provider`);
    envelope = completeFullRefresh(envelope);
    await saveEnvelope(db, connectionId, stream.name, envelope);
  }
  run.logger.log("info", `Finished ${stream.name}`);
  await run.logger.flush();
}

function recordHttpEvent(stats: RunStats, event: HttpEvent, logger: BufferedRunLogger): void {
  switch (event.type) {
    case "request":
      stats.requests += 1;
      stats.bytes += event.bytes;
      logger.log("debug", `${event.method} ${event.url} → ${event.status}`, {
        durationMs: event.durationMs,
        bytes: event.bytes,
        attempt: event.attempt,
      });
      return;
    case "retry":
      stats.retries += 1;
      logger.log("warn", `Retrying ${event.method} ${event.url} in ${event.delayMs} ms: ${event.reason}`, {
        attempt: event.attempt,
      });
      return;
    case "rate_limit_wait":
      stats.rateLimitWaits += 1;
      stats.rateLimitWaitMs += event.delayMs;
      logger.log("info", `Waiting ${event.delayMs} ms for the rate-limit budget: ${event.reason}`);
      return;
  }
}
