/**
 * Webhook delivery for emulators: a provider declares its payload shapes and how it signs; the kit keeps
 * the subscriptions' targets, queues events per target, batches them (HubSpot sends arrays of up to 100)
 * or sends one per request (Pipedrive), signs each request at send time, and retries a failed delivery
 * with backoff, as providers do. Changes reach it from the seeded tables (`watchTables`).
 */
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { parseBody } from "./body.ts";
import type { EmulatorError, ErrorStyle } from "./errors.ts";
import type { SeededTable, TableChange } from "./table.ts";

/** Where a subscription's events go, and how its requests are signed. */
export interface WebhookTarget {
  url: string;
  /** Headers for one request: signatures, Basic credentials… (`body` is exactly what is sent). */
  headers(body: string, url: string): Record<string, string>;
}

/** One attempt's outcome, kept for tests and the emulator's state. */
export interface WebhookDelivery {
  url: string;
  events: number;
  status: number | undefined;
  error: string | undefined;
  attempt: number;
}

export interface WebhookDispatcherOptions {
  /** Events per request: 1 sends each event as the body itself; more sends JSON arrays (default 1). */
  batchSize?: number;
  /** How long events wait for more to share a request (default 20 ms). */
  flushMs?: number;
  /** Tries per request (default 5), backing off `retryBaseMs` × 2^n (default 100 ms). */
  maxAttempts?: number;
  retryBaseMs?: number;
}

interface Queue {
  target: WebhookTarget;
  events: unknown[];
  timer: NodeJS.Timeout | undefined;
  /** The chain of this target's sends: requests to one target go one at a time, in order. */
  sending: Promise<void>;
}

export class WebhookDispatcher {
  private readonly queues = new Map<string, Queue>();
  private closed = false;
  /** Every attempt, oldest first (the last 1,000). */
  readonly deliveries: WebhookDelivery[] = [];
  /** Events delivered (a 2xx answered their request). */
  delivered = 0;
  /** Events whose every attempt failed. */
  dropped = 0;

  constructor(private readonly options: WebhookDispatcherOptions = {}) {}

  /** Queues an event for a target (keyed by its URL: one queue per target). */
  send(target: WebhookTarget, event: unknown): void {
    if (this.closed) return;
    let queue = this.queues.get(target.url);
    if (!queue) {
      queue = { target, events: [], timer: undefined, sending: Promise.resolve() };
      this.queues.set(target.url, queue);
    }
    queue.target = target;
    queue.events.push(event);
    const batchSize = this.options.batchSize ?? 1;
    if (queue.events.length >= batchSize) this.flush(queue);
    else queue.timer ??= setTimeout(() => this.flush(queue), this.options.flushMs ?? 20);
  }

  /** Resolves once every queued event was delivered or given up on. */
  async idle(): Promise<void> {
    for (;;) {
      const queues = [...this.queues.values()];
      for (const queue of queues) if (queue.events.length > 0) this.flush(queue);
      await Promise.all(queues.map((queue) => queue.sending));
      if (queues.every((queue) => queue.events.length === 0)) return;
    }
  }

  /** Stops sending; what is queued is dropped. */
  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) {
      if (queue.timer) clearTimeout(queue.timer);
      queue.events = [];
    }
  }

  private flush(queue: Queue): void {
    if (queue.timer) clearTimeout(queue.timer);
    queue.timer = undefined;
    const batchSize = this.options.batchSize ?? 1;
    while (queue.events.length > 0) {
      const events = queue.events.splice(0, batchSize);
      const body = JSON.stringify(batchSize === 1 ? events[0] : events);
      queue.sending = queue.sending.then(() => this.deliver(queue.target, body, events.length));
    }
  }

  private async deliver(target: WebhookTarget, body: string, events: number): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; attempt <= maxAttempts && !this.closed; attempt++) {
      let status: number | undefined;
      let error: string | undefined;
      try {
        const response = await fetch(target.url, {
          method: "POST",
          // Signed at send time: a timestamp in the signature is the time of this attempt.
          headers: { "content-type": "application/json", ...target.headers(body, target.url) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        await response.arrayBuffer();
      } catch (cause) {
        error = cause instanceof Error ? cause.message : String(cause);
      }
      this.record({ url: target.url, events, status, error, attempt });
      if (status !== undefined && status >= 200 && status < 300) {
        this.delivered += events;
        return;
      }
      await new Promise((resolve) =>
        setTimeout(resolve, (this.options.retryBaseMs ?? 100) * 2 ** (attempt - 1)),
      );
    }
    this.dropped += events;
  }

  private record(delivery: WebhookDelivery): void {
    this.deliveries.push(delivery);
    if (this.deliveries.length > 1_000) this.deliveries.shift();
  }
}

/**
 * Listens to the changes of a dataset's tables, named as the provider names their objects. A dataset's
 * reset builds new tables: wrapping its `reset` listens to those too.
 */
export function watchTables<Fields extends object>(
  dataset: { reset(): void },
  tables: () => Readonly<Record<string, SeededTable<Fields>>>,
  listener: (table: string, change: TableChange<Fields>) => void,
): void {
  const attach = () => {
    for (const [name, table] of Object.entries(tables())) table.onChange = (change) => listener(name, change);
  };
  attach();
  const reset = dataset.reset.bind(dataset);
  dataset.reset = () => {
    reset();
    attach();
  };
}

/** Headers of a target behind HTTP Basic credentials (none when no user is set). */
export function basicAuthHeaders(
  user: string | undefined,
  password: string | undefined,
): () => Record<string, string> {
  const encoded = Buffer.from(`${user ?? ""}:${password ?? ""}`).toString("base64");
  const headers: Record<string, string> = user ? { authorization: `Basic ${encoded}` } : {};
  return () => headers;
}

export interface SubscriptionApi<Body, Subscription> {
  /** The collection's paths (`/v1/webhooks`); `/:id` under each deletes one. */
  paths: readonly string[];
  schema: z.ZodType<Body>;
  errors: ErrorStyle;
  create(body: Body, id: number): Subscription;
  /** A subscription as responses show it (secrets left out). */
  view(subscription: Subscription): unknown;
  /** The provider's response envelope around `data`. */
  envelope(data: unknown): unknown;
  notFound(): EmulatorError;
}

/**
 * A provider's subscriptions API: list, create (201) and delete, kept in memory. Returns the live
 * subscriptions, which the provider's change listener sends to.
 */
export function subscriptionRoutes<Body, Subscription>(
  api: FastifyInstance,
  spec: SubscriptionApi<Body, Subscription>,
): ReadonlyMap<number, Subscription> {
  const subscriptions = new Map<number, Subscription>();
  let ids = 0;
  for (const path of spec.paths) {
    api.get(path, async () => spec.envelope([...subscriptions.values()].map(spec.view)));
    api.post(path, async (request, reply) => {
      const id = ++ids;
      subscriptions.set(id, spec.create(parseBody(spec.errors, spec.schema, request.body), id));
      return reply.code(201).send(spec.envelope(spec.view(subscriptions.get(id)!)));
    });
    api.delete(`${path}/:id`, async (request) => {
      if (!subscriptions.delete(Number((request.params as { id: string }).id))) throw spec.notFound();
      return spec.envelope({ id: Number((request.params as { id: string }).id) });
    });
  }
  return subscriptions;
}
