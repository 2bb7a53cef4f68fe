/**
 * Access tokens of one OAuth2 connection, refreshed single-flight: however many requests find the token
 * expired (or get a 401 with it) at once, the token endpoint is called once and all of them wait for that.
 * With `shared`, that holds across processes too: a refresh runs under the connection's lock, and first
 * looks whether another process refreshed meanwhile (then its stored token is used, no call is made).
 */
import { type OAuth2Credentials, ReauthorizationRequiredError, SwitchyardError } from "../../core/index.ts";
import type { OAuth2ClientConfig } from "./config.ts";
import { refreshAccessToken } from "./token-endpoint.ts";

/** What the HTTP client asks for the token to send, and asks again after a 401. */
export interface AccessTokenSource {
  /** A token not expiring within the margin; refreshes first (once for all concurrent callers) if needed. */
  current(signal?: AbortSignal): Promise<string>;
  /** After a 401 with `rejected`: a newer token, refreshing once for every caller that saw the same one. */
  renew(rejected: string, signal?: AbortSignal): Promise<string>;
  /** Every token value held so far, for redaction. */
  secrets(): readonly string[];
}

/** What makes a refresh single-flight across processes (see connectionTokenSource). */
export interface SharedRefresh {
  /** Runs `task` holding the connection's refresh lock, shared by every process. */
  lock<T>(task: () => Promise<T>): Promise<T>;
  /** The connection's credentials as stored now; undefined when they are gone or another grant's. */
  load(): Promise<OAuth2Credentials | undefined>;
}

export interface OAuth2TokenManagerOptions {
  config: OAuth2ClientConfig;
  credentials: OAuth2Credentials;
  /** Stores refreshed credentials; the new token is handed out only after this resolves. */
  onRefreshed?: (credentials: OAuth2Credentials) => Promise<void>;
  /** Called once when the provider refuses the refresh token (before the error reaches callers). */
  onRejected?: (error: ReauthorizationRequiredError) => Promise<void>;
  /** Coordinates refreshes with other processes; without it, single-flight holds within this process. */
  shared?: SharedRefresh;
  /** Refresh this long before the expiry. Default 120 000. */
  marginMs?: number;
  now?: () => number;
}

export class OAuth2TokenManager implements AccessTokenSource {
  private credentials: OAuth2Credentials;
  private inflight: Promise<OAuth2Credentials> | undefined;
  private rejected: ReauthorizationRequiredError | undefined;
  private readonly seen = new Set<string>();
  private readonly marginMs: number;
  private readonly now: () => number;
  /** Token-endpoint calls made so far (for tests and metrics). */
  refreshes = 0;

  constructor(private readonly options: OAuth2TokenManagerOptions) {
    this.credentials = options.credentials;
    this.marginMs = options.marginMs ?? 120_000;
    this.now = options.now ?? Date.now;
    this.remember(options.credentials);
  }

  /** The credentials as they stand (after any refresh). */
  get snapshot(): OAuth2Credentials {
    return this.credentials;
  }

  async current(signal?: AbortSignal): Promise<string> {
    if (this.rejected) throw this.rejected;
    if (!this.inflight && !this.expiresSoon()) return this.credentials.accessToken;
    return (await waitFor(this.refresh(), signal)).accessToken;
  }

  async renew(rejected: string, signal?: AbortSignal): Promise<string> {
    if (this.rejected) throw this.rejected;
    // Someone already replaced the token that was refused: use theirs.
    if (!this.inflight && this.credentials.accessToken !== rejected) return this.credentials.accessToken;
    return (await waitFor(this.refresh(), signal)).accessToken;
  }

  secrets(): readonly string[] {
    return [...this.seen];
  }

  private expiresSoon(credentials: OAuth2Credentials = this.credentials): boolean {
    const { expiresAt } = credentials;
    return expiresAt !== undefined && Date.parse(expiresAt) - this.marginMs <= this.now();
  }

  /** The one refresh in flight, started if there is none. Not tied to any caller's signal. */
  private refresh(): Promise<OAuth2Credentials> {
    this.inflight ??= this.runRefresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private runRefresh(): Promise<OAuth2Credentials> {
    const shared = this.options.shared;
    return shared ? shared.lock(() => this.refreshUnlessDone(shared)) : this.callTokenEndpoint();
  }

  /**
   * Under the lock: if the stored token is not the one we hold, another process refreshed; use it unless it
   * too expires soon (then refresh from it: with rotating refresh tokens, only the newest one works).
   */
  private async refreshUnlessDone(shared: SharedRefresh): Promise<OAuth2Credentials> {
    const stored = await shared.load();
    if (stored && stored.accessToken !== this.credentials.accessToken) {
      this.remember(stored);
      this.credentials = stored;
      if (!this.expiresSoon(stored)) return stored;
    }
    return this.callTokenEndpoint();
  }

  private async callTokenEndpoint(): Promise<OAuth2Credentials> {
    this.refreshes++;
    let next: OAuth2Credentials;
    try {
      next = await refreshAccessToken(this.options.config, this.credentials, this.now);
    } catch (error) {
      if (error instanceof ReauthorizationRequiredError) {
        this.rejected = error;
        await this.options.onRejected?.(error);
      }
      throw error instanceof SwitchyardError ? error : new SwitchyardError("internal", String(error));
    }
    this.remember(next);
    // Kept even if storing fails: a provider that rotates refresh tokens has already retired the old one.
    this.credentials = next;
    await this.options.onRefreshed?.(next);
    return next;
  }

  private remember(credentials: OAuth2Credentials): void {
    this.seen.add(credentials.accessToken);
    if (credentials.refreshToken) this.seen.add(credentials.refreshToken);
  }
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts (the promise itself carries on). */
function waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
