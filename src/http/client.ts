/**
 * The outbound HTTP client: auth injection, rate-limit pacing, retries with backoff, error mapping, redaction,
 * and the SSRF guard (no loopback, private or metadata addresses unless allowed).
 * One undici Agent per client keeps connections alive across the thousands of requests of a sync.
 */
import { Agent } from "undici";
import type {
  AuthScheme,
  Credentials,
  HttpClient,
  HttpEvent,
  HttpMethod,
  HttpRequest,
  HttpResponse,
  RateLimitHeaderSpec,
} from "../core/index.ts";
import {
  ConfigError,
  CredentialsRejectedError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderUnavailableError,
} from "../core/index.ts";
import { AddressRefusedError, guardedConnector } from "./address-guard.ts";
import { prepareAuth } from "./auth.ts";
import { FixedRateLimits } from "./fixed-rate-limit.ts";
import type { AccessTokenSource } from "./oauth2/token-manager.ts";
import { InMemoryRateLimitBudget, type RateLimitBudget } from "./rate-limit-budget.ts";
import { readRateLimit } from "./rate-limit-headers.ts";
import { createRedactor, type Redactor, redact, secretSpellings } from "./redact.ts";
import { normalizeHeaders, parseJsonBody, providerMessage, readBody } from "./response.ts";
import {
  createBackoff,
  errorCode,
  isRetryableNetworkError,
  isRetryableStatus,
  type RetryDelayOptions,
  sleep,
} from "./retry.ts";
import { type BaseUrl, buildTarget, parseBaseUrl, type Target } from "./url.ts";

export interface HttpClientOptions {
  /** Provider name for error messages (`hubspot`). */
  provider: string;
  baseUrl: string;
  auth: AuthScheme;
  credentials: Credentials;
  /** Which headers carry the provider's rate-limit budget. */
  rateLimit?: RateLimitHeaderSpec;
  /** Shared per provider account; if absent the client keeps its own. */
  budget?: RateLimitBudget;
  onEvent?: (event: HttpEvent) => void;
  /** Per attempt, headers and body included. Default 30 000. */
  timeoutMs?: number;
  /** Attempts in total, the first included. Default 6. */
  maxAttempts?: number;
  /** Backoff between attempts (exponential, full jitter). Default 250 / 30 000 ms. */
  retryDelay?: RetryDelayOptions;
  /**
   * Longest Retry-After (or reset) wait honoured before giving up on the request. Default 120 000.
   * A provider asking for more (say, a daily quota) fails the run cleanly instead of parking it for hours.
   */
  maxRetryAfterMs?: number;
  /**
   * For OAuth2 credentials: supplies the access token per attempt and renews it (once) after a 401.
   * Without it the stored access token is sent as it is.
   */
  tokens?: AccessTokenSource;
  /**
   * Let requests reach loopback, private and link-local addresses. Off by default: every connection is
   * checked after DNS resolution and refused with AddressRefusedError. On only where the environment allows
   * private addresses (emulators on this machine). Cloud metadata addresses are refused either way.
   */
  allowPrivateAddresses?: boolean;
}

export type ClosableHttpClient = HttpClient & { close(): Promise<void> };

/** A request relayed on a caller's behalf (the proxy): its body is sent as it is (bytes), typed by its own headers. */
export interface RelayRequest extends Omit<HttpRequest, "body" | "method"> {
  method?: HttpRequest["method"] | "HEAD" | "OPTIONS";
  body?: string | Uint8Array;
}

/**
 * The provider's answer as it was: any status, the body as the bytes received. Credentials are redacted from
 * the headers always, and from the body only when it is text (isTextualBody): a file, an image or a gzip
 * stream is relayed byte for byte.
 */
export interface RelayedResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  bytes: number;
  /** The URL requested, secrets redacted. */
  url: string;
}

/**
 * A client that can also relay: `relay` applies the same auth, budget, retries and address guard as `request`,
 * but answers every final status (4xx, 3xx included) and body instead of throwing; only what `request` would
 * retry is retried. Redirects are never followed (the caller decides).
 */
export type RelayingHttpClient = ClosableHttpClient & {
  relay(request: RelayRequest, options?: { signal?: AbortSignal }): Promise<RelayedResponse>;
};

/** Creates a client whose requests resolve with parsed 2xx JSON or reject with a SwitchyardError (secrets redacted). */
export function createHttpClient(options: HttpClientOptions): ClosableHttpClient {
  return new UndiciHttpClient(options);
}

/** Creates a client that can relay requests made on a caller's behalf (see RelayingHttpClient). */
export function createRelayingHttpClient(options: HttpClientOptions): RelayingHttpClient {
  return new UndiciHttpClient(options);
}

/** Why an attempt should be retried. `malformed` marks a 2xx we could not use (bad or truncated body). */
interface RetryableProblem {
  problem: string;
  malformed: boolean;
  /** Delay the provider asked for (Retry-After / reset header). */
  serverDelayMs?: number;
  cause?: unknown;
}

type AttemptOutcome = { ok: true; response: HttpResponse } | { ok: false; retry: RetryableProblem };

class UndiciHttpClient implements RelayingHttpClient {
  private readonly provider: string;
  private readonly base: BaseUrl;
  private readonly agent: Agent;
  private readonly budget: RateLimitBudget;
  private readonly fixedLimits: FixedRateLimits | undefined;
  private readonly rateLimit: RateLimitHeaderSpec | undefined;
  private readonly onEvent: ((event: HttpEvent) => void) | undefined;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelay: RetryDelayOptions;
  private readonly maxRetryAfterMs: number;
  private readonly redact: Redactor;
  private readonly authParam: { name: string; value: string } | undefined;
  /** Default headers with credentials (own origin) and without (any other origin). */
  private readonly headersWithAuth: Record<string, string>;
  private readonly headersWithoutAuth: Record<string, string>;
  private readonly onWait: (delayMs: number, reason: string) => void;
  private readonly tokens: AccessTokenSource | undefined;

  constructor(options: HttpClientOptions) {
    this.provider = options.provider;
    this.base = parseBaseUrl(options.provider, options.baseUrl);
    const auth = prepareAuth(options.provider, options.auth, options.credentials);
    const redactStatic = createRedactor(auth.secrets, auth.sensitiveQueryParams);
    const tokens = options.credentials.type === "oauth2" ? options.tokens : undefined;
    this.tokens = tokens;
    this.redact = tokens
      ? (text) => redact(redactStatic(text), secretSpellings(tokens.secrets()))
      : redactStatic;
    this.authParam = auth.query;
    this.headersWithoutAuth = { accept: "application/json", "user-agent": "switchyard" };
    this.headersWithAuth = { ...this.headersWithoutAuth, ...auth.headers };
    this.budget = options.budget ?? new InMemoryRateLimitBudget(options.provider);
    this.rateLimit = options.rateLimit;
    const fixed = options.rateLimit?.fixed;
    // Kept where the budget is kept: shared by every process of the account when the budget is.
    const store = this.budget.store ? { store: this.budget.store } : {};
    this.fixedLimits = fixed?.length ? new FixedRateLimits(this.budget.account, fixed, store) : undefined;
    this.onEvent = options.onEvent;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.retryDelay = options.retryDelay ?? { baseMs: 250, maxMs: 30_000 };
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new ConfigError(`maxAttempts must be a whole number of at least 1, not ${this.maxAttempts}.`);
    }
    const account = this.budget.account;
    this.onWait = (delayMs, reason) => this.onEvent?.({ type: "rate_limit_wait", account, delayMs, reason });
    // Created last, so a client whose options were rejected holds no connection pool.
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      connect: guardedConnector({ allowPrivateAddresses: options.allowPrivateAddresses ?? false }),
    });
  }

  async request<T = unknown>(
    request: HttpRequest,
    options?: { signal?: AbortSignal },
  ): Promise<HttpResponse<T>> {
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    return (await this.exchange({ ...request, body }, false, options?.signal)) as HttpResponse<T>;
  }

  async relay(request: RelayRequest, options?: { signal?: AbortSignal }): Promise<RelayedResponse> {
    const response = await this.exchange(request, true, options?.signal);
    return { ...response, body: response.body as Buffer };
  }

  /** `request` and `relay`: pacing, auth, retries; `relay` answers any final status with the body's bytes. */
  private async exchange(
    request: RelayRequest,
    relay: boolean,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const method = request.method ?? "GET";
    const target = buildTarget(this.base, request.path, request.query, this.authParam);
    const url = this.redact(target.origin + target.path);
    const body = request.body;
    const headers = {
      ...(target.sameOrigin ? this.headersWithAuth : this.headersWithoutAuth),
      ...(body === undefined || relay ? undefined : { "content-type": "application/json" }),
      ...(request.headers && lowerCaseKeys(request.headers)),
    };
    let nextBackoff: (() => number) | undefined;
    let renewed = false;

    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      await this.budget.acquire(signal, this.onWait);
      let token: string | undefined;
      try {
        // HEAD and OPTIONS (relayed only) match only the limits that name no method.
        const limited = method as HttpMethod;
        await this.fixedLimits?.acquire(limited, target.path.split("?")[0]!, signal, this.onWait);
        token = this.tokens && target.sameOrigin ? await this.tokens.current(signal) : undefined;
      } catch (error) {
        // Nothing was sent: the request granted above is no longer in flight.
        this.budget.observe({}, 0);
        throw error;
      }
      const sent = token ? { ...headers, authorization: `Bearer ${token}` } : headers;
      let outcome: AttemptOutcome;
      try {
        outcome = await this.attempt(method, target, url, sent, body, attempt, signal, relay);
      } catch (error) {
        // A 401 with an OAuth2 token: renew it (single-flight) and try once more.
        if (token && !renewed && isUnauthorized(error)) {
          renewed = true;
          await this.tokens?.renew(token, signal);
          continue;
        }
        throw error;
      }
      // A relayed 401 with an OAuth2 token: renewed and tried once more too.
      if (outcome.ok && relay && token && !renewed && outcome.response.status === 401) {
        renewed = true;
        await this.tokens?.renew(token, signal);
        continue;
      }
      if (outcome.ok) return outcome.response;

      const { retry } = outcome;
      if (attempt >= this.maxAttempts) throw this.exhausted(retry, attempt, method, url);
      if (retry.serverDelayMs !== undefined && retry.serverDelayMs > this.maxRetryAfterMs) {
        const seconds = Math.ceil(retry.serverDelayMs / 1000);
        throw new ProviderUnavailableError(
          this.provider,
          attempt,
          `${retry.problem}; it asked to wait ${seconds}s, longer than the ${this.maxRetryAfterMs / 1000}s we wait`,
        );
      }
      nextBackoff ??= createBackoff(this.retryDelay);
      const delayMs = retry.serverDelayMs ?? nextBackoff();
      this.onEvent?.({ type: "retry", method, url, attempt, delayMs, reason: retry.problem });
      await sleep(delayMs, signal);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  /** One exchange with the provider. Returns the response or a retryable problem; throws for final errors. */
  private async attempt(
    method: string,
    target: Target,
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    attempt: number,
    signal: AbortSignal | undefined,
    relay: boolean,
  ): Promise<AttemptOutcome> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const forwardAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener("abort", forwardAbort, { once: true });
    const started = performance.now();
    let status = 0;
    let bytes = 0;
    let raw: { headers: Record<string, string>; text: string; buffer: Buffer } | undefined;
    try {
      const response = await this.agent.request({
        origin: target.origin,
        path: target.path,
        method,
        headers,
        body,
        signal: controller.signal,
        // Our own timer bounds the whole attempt; undici's (idle) timers only need to be no shorter.
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      status = response.statusCode;
      try {
        const read = await readBody(response.body);
        bytes = read.bytes;
        raw = { headers: normalizeHeaders(response.headers), text: read.text, buffer: read.buffer };
      } catch (error) {
        // Headers said 2xx but the body broke off: a truncated response, retried like a malformed one.
        if (status >= 200 && status < 300 && !controller.signal.aborted) {
          return this.retryable(`the response body was cut off (${this.describe(error)})`, true, error);
        }
        throw error;
      }
    } catch (error) {
      return this.failedExchange(error, attempt, signal, controller.signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forwardAbort);
      // status 0: no response arrived (connection failed, timed out or aborted).
      this.onEvent?.({
        type: "request",
        method,
        url,
        status,
        durationMs: Math.round(performance.now() - started),
        bytes,
        attempt,
      });
    }
    return this.handleResponse(method, url, status, raw.headers, raw.text, bytes, relay, raw.buffer);
  }

  /** An exchange that threw: the caller's abort is rethrown, timeouts and broken connections are retryable. */
  private failedExchange(
    error: unknown,
    attempt: number,
    signal: AbortSignal | undefined,
    attemptSignal: AbortSignal,
  ): AttemptOutcome {
    this.budget.observe({}, 0);
    if (signal?.aborted) throw signal.reason;
    // The address guard said no: another attempt would go to the same address.
    if (error instanceof AddressRefusedError) throw error;
    if (attemptSignal.aborted)
      return this.retryable(`no complete response within ${this.timeoutMs} ms`, false, error);
    if (isRetryableNetworkError(error))
      return this.retryable(`connection failed (${this.describe(error)})`, false, error);
    // Anything else (unknown host, invalid header, closed client): another attempt would fail the same way.
    throw new ProviderUnavailableError(this.provider, attempt, this.describe(error), { cause: error });
  }

  /** Maps a complete response to success, a retryable problem, or a typed error. */
  private handleResponse(
    method: string,
    url: string,
    status: number,
    headers: Record<string, string>,
    text: string,
    bytes: number,
    relay = false,
    buffer?: Buffer,
  ): AttemptOutcome {
    const reading = readRateLimit(headers, status, this.rateLimit, Date.now());
    // Every answer is reported, with or without rate-limit headers: it is how a request stops being in flight.
    this.budget.observe(reading, status);
    const contentType = headers["content-type"];
    const refusal = this.rateLimit?.refusal;
    const overLimit =
      refusal !== undefined && status === refusal.status && text.includes(refusal.bodyIncludes);
    if (relay && !overLimit && !isRetryableStatus(status)) {
      const relayed: Record<string, string> = {};
      for (const name in headers) relayed[name] = this.redact(headers[name]!);
      const raw = buffer ?? Buffer.from(text);
      const body = isTextualBody(headers, raw) ? Buffer.from(this.redact(text)) : raw;
      return { ok: true, response: { status, headers: relayed, body, bytes, url } };
    }

    if (status >= 200 && status < 300) {
      const parsed = parseJsonBody(text, contentType, bytes, buffer);
      if (parsed.ok) return { ok: true, response: { status, headers, body: parsed.value, bytes, url } };
      return this.retryable(this.redact(parsed.problem), true);
    }
    if (overLimit) {
      const problem = `HTTP ${status}, over the rate limit: ${this.redact(providerMessage(text, contentType))}`;
      return { ok: false, retry: { problem, malformed: false, serverDelayMs: reading.retryAfterMs } };
    }
    if (status === 401 || status === 403) {
      throw new CredentialsRejectedError(
        this.provider,
        status,
        this.redact(providerMessage(text, contentType)),
      );
    }
    if (isRetryableStatus(status)) {
      const problem = `HTTP ${status}: ${this.redact(providerMessage(text, contentType))}`;
      return { ok: false, retry: { problem, malformed: false, serverDelayMs: reading.retryAfterMs } };
    }
    const message =
      status >= 300 && status < 400
        ? `unexpected redirect to ${this.redact(headers.location ?? "nowhere")}`
        : this.redact(providerMessage(text, contentType));
    throw new ProviderRequestError(this.provider, status, message, { method, url });
  }

  private retryable(problem: string, malformed: boolean, cause?: unknown): AttemptOutcome {
    return { ok: false, retry: { problem, malformed, cause } };
  }

  /** The error for a request whose attempts all failed: malformed body → ProviderResponseError, else Unavailable. */
  private exhausted(retry: RetryableProblem, attempts: number, method: string, url: string): Error {
    if (retry.malformed) {
      return new ProviderResponseError(this.provider, `${retry.problem} (after ${attempts} attempts)`, {
        method,
        url,
        attempts,
      });
    }
    return new ProviderUnavailableError(this.provider, attempts, retry.problem, { cause: retry.cause });
  }

  /** Error code and message of a network error, redacted. */
  private describe(error: unknown): string {
    const code = errorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    return this.redact(code && !message.includes(code) ? `${code}: ${message}` : message);
  }
}

/** Media types whose bodies are text, where an echoed credential can be found and redacted. */
const TEXTUAL_MEDIA_TYPE =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded)\b)/i;

/**
 * Whether a relayed body is text: a textual media type (text/*, JSON, XML, JavaScript, form-encoded), or no
 * media type and valid UTF-8; never a content-encoded (compressed) body. Only text is redacted: rewriting the
 * bytes of a file, an image or a gzip stream would corrupt it.
 */
export function isTextualBody(headers: Readonly<Record<string, string>>, body: Uint8Array): boolean {
  const encoding = headers["content-encoding"]?.trim().toLowerCase();
  if (encoding && encoding !== "identity") return false;
  const type = headers["content-type"]?.trim();
  if (type) return TEXTUAL_MEDIA_TYPE.test(type);
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

function isUnauthorized(error: unknown): boolean {
  return error instanceof CredentialsRejectedError && error.details?.status === 401;
}

/** Header names in lower case, so a caller's `Content-Type` replaces our `content-type` instead of doubling it. */
function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) out[name.toLowerCase()] = headers[name]!;
  return out;
}
