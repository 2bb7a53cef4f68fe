/**
 * A store for @fastify/rate-limit (requests per API key) that counts in the process's shared backend
 * (Redis or Postgres, see budgetStoreFor), so the limit holds across every API process instead of each
 * process allowing the full limit. Fixed windows, like the plugin's own local store; each count is one
 * atomic step. Routes with their own limit get their own key space (`child`).
 */
import type { BudgetStore } from "../http/index.ts";

type Reply = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface Window {
  count: number;
  startedAt: number;
}

/** The store class the plugin instantiates (`store` option). */
export function sharedRequestLimitStore(store: BudgetStore) {
  return class SharedRequestLimitStore {
    /** The plugin passes its options first; they are not needed here. */
    constructor(
      _options?: unknown,
      private readonly space = "api-requests",
    ) {}

    incr(key: string, reply: Reply, timeWindow: number): void {
      this.count(key, timeWindow, true, reply);
    }

    read(key: string, reply: Reply, timeWindow: number): void {
      this.count(key, timeWindow, false, reply);
    }

    /** A route with its own limit: its own windows, named by its method and URL. */
    child(routeOptions: object): SharedRequestLimitStore {
      const route = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
      return new SharedRequestLimitStore(
        undefined,
        `api-requests:${String(route?.method)}:${String(route?.url)}`,
      );
    }

    private count(key: string, timeWindow: number, increment: boolean, reply: Reply): void {
      store
        .update<Window, { current: number; ttl: number }>(
          `${this.space}:${key}`,
          timeWindow,
          (stored, now) => {
            const open = stored && stored.startedAt + timeWindow > now ? stored : undefined;
            if (!increment) {
              return {
                result: open
                  ? { current: open.count, ttl: open.startedAt + timeWindow - now }
                  : { current: 0, ttl: 0 },
              };
            }
            const next = open ? { ...open, count: open.count + 1 } : { count: 1, startedAt: now };
            return { state: next, result: { current: next.count, ttl: next.startedAt + timeWindow - now } };
          },
        )
        .then(
          (result) => reply(null, result),
          (error: unknown) => reply(error instanceof Error ? error : new Error(String(error))),
        );
    }
  };
}
