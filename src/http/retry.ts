/**
 * Retry policy pieces: what is worth retrying, how long to wait, and an abortable wait.
 *
 * The backoff curve comes from cockatiel (exponential, full jitter). Its RetryPolicy is not used because
 * its backoff timer ignores the AbortSignal, and a run that is cancelled must stop waiting at once; the loop
 * that ties these pieces together lives in client.ts.
 */
import { ExponentialBackoff, fullJitterGenerator, type IBackoff } from "cockatiel";

/** Statuses that mean "try again later": throttling and transient server trouble. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Error codes of a connection that broke or timed out (node and undici spellings). */
const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);

export interface RetryDelayOptions {
  baseMs: number;
  maxMs: number;
}

/** True for 429 and 500/502/503/504. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** The first node/undici error code found on the error or its causes, if any. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return undefined;
}

/** True when the error is a dropped, refused or timed-out connection that a new attempt may get past. */
export function isRetryableNetworkError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && RETRYABLE_ERROR_CODES.has(code);
}

/**
 * Milliseconds a Retry-After header asks for (delta-seconds or an HTTP date), or undefined if absent/unreadable.
 * Fractional seconds are accepted, although the standard only has whole ones.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Returns a function yielding successive backoff delays: exponential from baseMs, capped at maxMs, full jitter. */
export function createBackoff(options: RetryDelayOptions): () => number {
  const factory = new ExponentialBackoff({
    generator: fullJitterGenerator,
    initialDelay: options.baseMs,
    maxDelay: options.maxMs,
  });
  let current: IBackoff<unknown> | undefined;
  return () => {
    current = current ? current.next(undefined) : factory.next();
    return current.duration;
  };
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (clearing the timer). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
