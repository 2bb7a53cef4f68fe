/**
 * The delivery worker: drains `webhook_deliveries` (the outbox `appendEvent` fills), signing each attempt,
 * retrying on the backoff schedule, keeping every attempt in the delivery log, and disabling an endpoint that
 * keeps failing. Deliveries are leased, so any number of workers share one store and a delivery whose
 * worker died is taken over when its lease expires (sent again with the same `webhook-id`).
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { describeError } from "../../core/index.ts";
import {
  appendEvent,
  claimDelivery,
  type Database,
  disableWebhookEndpoint,
  environmentAllowsPrivateNetwork,
  getWebhookEndpoint,
  inTransaction,
  listDueDeliveries,
  noteEndpointFailure,
  noteEndpointSuccess,
  recordDeliveryAttempt,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from "../../store/index.ts";
import type { Vault } from "../../vault/index.ts";
import { DEFAULT_RETRY_SCHEDULE_MS, retryDelay } from "./backoff.ts";
import { type AttemptOutcome, sendAttempt, WebhookAgents } from "./send.ts";
import { standardWebhookHeaders } from "./signature.ts";

export interface DeliveryWorkerOptions {
  db: Kysely<Database>;
  vault: Vault;
  /** Waits after each failed attempt (default: 5 s … 10 h, about a day); attempts = its length + 1. */
  retrySchedule?: readonly number[];
  /** Spread of each wait, ± this fraction (default 0.1). */
  jitter?: number;
  /** How long a claimed delivery is held before another worker may take it over (default 60 s). */
  leaseMs?: number;
  /** Time allowed for one attempt (default 15 s); kept below the lease. */
  timeoutMs?: number;
  /** Pause between polls when nothing is due (default 500 ms); `wake` cuts it short. */
  pollMs?: number;
  /** Most deliveries attempted at once (default 16). */
  batchSize?: number;
  /**
   * When an endpoint is disabled: after this many deliveries in a row failed every attempt (default 5), or
   * when it has failed without a single success for this long (default 5 days).
   */
  disableAfter?: { exhaustedDeliveries?: number; failingForMs?: number };
  /** Work done before each poll (the app announces finished runs there). */
  beforePoll?: () => Promise<void>;
  onError?: (error: unknown) => void;
  now?: () => Date;
}

export interface DeliveryWorker {
  /** Polls and delivers until `signal` aborts; resolves once attempts in flight are recorded. */
  run(signal: AbortSignal): Promise<void>;
  /** Attempts what is due now once; returns how many deliveries it attempted. */
  deliverDue(): Promise<number>;
  /** Polls at once (new events were queued). */
  wake(): void;
  /** Lets go of the HTTP agents (`run` does it when it ends); for callers of `deliverDue` alone. */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** A worker over `options.db`; nothing runs until `run` or `deliverDue` is called. */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { db, vault } = options;
  const schedule = options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS;
  const jitter = options.jitter ?? 0.1;
  const leaseMs = options.leaseMs ?? 60_000;
  const timeoutMs = Math.min(options.timeoutMs ?? 15_000, Math.max(1, leaseMs - 1_000));
  const pollMs = options.pollMs ?? 500;
  const batchSize = options.batchSize ?? 16;
  const maxExhausted = options.disableAfter?.exhaustedDeliveries ?? 5;
  const failingForMs = options.disableAfter?.failingForMs ?? 5 * DAY_MS;
  const now = options.now ?? (() => new Date());
  const owner = `whw_${randomUUID().slice(0, 12)}`;
  const agents = new WebhookAgents();
  let wakeUp: (() => void) | undefined;

  async function deliverDue(): Promise<number> {
    const at = now();
    const due = await listDueDeliveries(db, at.toISOString(), batchSize);
    const expiresAt = new Date(at.getTime() + leaseMs).toISOString();
    const claimed: WebhookDeliveryRow[] = [];
    for (const delivery of due) {
      if (await claimDelivery(db, delivery.id, { owner, now: at.toISOString(), expiresAt }))
        claimed.push(delivery);
    }
    await Promise.all(
      claimed.map((delivery) => attempt(delivery).catch((error) => options.onError?.(error))),
    );
    return claimed.length;
  }

  /** Sends one claimed delivery and records the outcome; the lease guards against a takeover meanwhile. */
  async function attempt(delivery: WebhookDeliveryRow): Promise<void> {
    const endpoint = await getWebhookEndpoint(db, delivery.endpoint_id);
    if (!endpoint) return;
    const startedAt = now();
    let headers: Record<string, string> = {};
    let outcome: AttemptOutcome;
    try {
      headers = {
        "content-type": "application/json",
        "user-agent": "Switchyard-Webhooks/1",
        ...standardWebhookHeaders(
          signingSecrets(endpoint, startedAt),
          delivery.message_id,
          delivery.payload,
          startedAt,
        ),
      };
      // Checked at every attempt: the environment's setting or the name's addresses may have changed.
      const allowPrivate = await environmentAllowsPrivateNetwork(db, endpoint.environment_id);
      outcome = await sendAttempt(
        agents.of(allowPrivate),
        endpoint.url,
        headers,
        delivery.payload,
        timeoutMs,
      );
    } catch (error) {
      // A secret the vault cannot open: a failed attempt in the log, retried like any other.
      outcome = { ok: false, status: null, body: null, error: describeError(error).message, latencyMs: 0 };
    }
    await record(delivery, endpoint, startedAt, headers, outcome);
  }

  /** The secrets that sign an attempt: the current one, and the previous one while its overlap lasts. */
  function signingSecrets(endpoint: WebhookEndpointRow, at: Date): string[] {
    const secrets = [vault.open(endpoint.secret)];
    if (endpoint.previous_secret && (endpoint.previous_secret_expires_at ?? "") > at.toISOString())
      secrets.push(vault.open(endpoint.previous_secret));
    return secrets;
  }

  async function record(
    delivery: WebhookDeliveryRow,
    endpoint: WebhookEndpointRow,
    startedAt: Date,
    headers: Record<string, string>,
    outcome: AttemptOutcome,
  ): Promise<void> {
    const number = delivery.attempts + 1;
    const delay = outcome.ok ? undefined : retryDelay(schedule, number, jitter);
    const nextAttemptAt = delay === undefined ? null : new Date(now().getTime() + delay).toISOString();
    const status = outcome.ok ? "succeeded" : nextAttemptAt ? "pending" : "failed";
    await inTransaction(db, async (trx) => {
      const recorded = await recordDeliveryAttempt(
        trx,
        { id: delivery.id, owner },
        {
          delivery_id: delivery.id,
          attempt: number,
          started_at: startedAt.toISOString(),
          request_headers: JSON.stringify(headers),
          response_status: outcome.status,
          response_body: outcome.body,
          error: outcome.error,
          latency_ms: outcome.latencyMs,
          next_attempt_at: nextAttemptAt,
        },
        { status, nextAttemptAt },
      );
      if (!recorded) return;
      if (outcome.ok) return noteEndpointSuccess(trx, endpoint.id);
      const after = await noteEndpointFailure(trx, endpoint.id, {
        at: startedAt.toISOString(),
        exhausted: status === "failed",
      });
      const reason = after && disableReason(after, outcome);
      if (reason) await disable(trx, endpoint, reason);
    });
  }

  /** Why the endpoint should be disabled now, if it should. */
  function disableReason(endpoint: WebhookEndpointRow, outcome: AttemptOutcome): string | undefined {
    const last = outcome.error ?? "no answer";
    if (endpoint.exhausted_in_a_row >= maxExhausted)
      return `Disabled after ${endpoint.exhausted_in_a_row} deliveries in a row failed every attempt (last: ${last}).`;
    const since = endpoint.failing_since ? Date.parse(endpoint.failing_since) : Number.NaN;
    if (now().getTime() - since >= failingForMs)
      return `Disabled: every attempt has failed since ${endpoint.failing_since} (last: ${last}).`;
    return undefined;
  }

  async function disable(trx: Kysely<Database>, endpoint: WebhookEndpointRow, reason: string): Promise<void> {
    const at = now().toISOString();
    if (!(await disableWebhookEndpoint(trx, endpoint.id, reason, at))) return;
    await appendEvent(trx, {
      environmentId: endpoint.environment_id,
      type: "endpoint.disabled",
      data: { endpoint_id: endpoint.id, url: endpoint.url, reason, disabled_at: at },
    });
  }

  return {
    deliverDue,
    close: () => agents.close(),
    wake() {
      wakeUp?.();
    },
    async run(signal) {
      try {
        while (!signal.aborted) {
          let attempted = 0;
          try {
            await options.beforePoll?.();
            attempted = await deliverDue();
          } catch (error) {
            options.onError?.(
              new Error(`Webhook delivery: ${describeError(error).message}`, { cause: error }),
            );
          }
          if (attempted < batchSize) await pause(pollMs, signal);
        }
      } finally {
        await agents.close();
      }
    },
  };

  function pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      wakeUp = done;
    });
  }
}
