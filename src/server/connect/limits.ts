/**
 * Throttles of the public Connect API, so that a Connect link (or a stream of forged ones) cannot become a
 * credential-guessing proxy: requests per client address, requests per session, and unknown tokens per
 * address. Failed credential attempts per session are counted in the store (see `countingFailedAttempts`).
 */
import type { BudgetStore } from "../../http/index.ts";
import { type AttemptLimit, AttemptLimiter } from "../attempt-limiter.ts";

export interface ConnectLimits {
  /** Requests to `/connect/api/*` per client address (default 60 per minute). */
  perAddress: AttemptLimit;
  /** Requests per Connect session (default 30 per minute). */
  perSession: AttemptLimit;
  /** Requests with an unknown or malformed session token per client address (default 10 per minute). */
  badTokensPerAddress: AttemptLimit;
}

export const DEFAULT_CONNECT_LIMITS: ConnectLimits = {
  perAddress: { max: 60, windowMs: 60_000 },
  perSession: { max: 30, windowMs: 60_000 },
  badTokensPerAddress: { max: 10, windowMs: 60_000 },
};

const WAIT_HINT = "If you are connecting an account, wait a moment and try again.";

/** The limiters of one server; with a shared `store` (Redis, Postgres), of every server using that store. */
export class ConnectThrottle {
  private readonly perAddress: AttemptLimiter;
  private readonly perSession: AttemptLimiter;
  private readonly badTokens: AttemptLimiter;

  constructor(limits: Partial<ConnectLimits> = {}, store?: BudgetStore) {
    const merged = { ...DEFAULT_CONNECT_LIMITS, ...limits };
    const shared = store ? { store } : {};
    this.perAddress = new AttemptLimiter(merged.perAddress, { name: "connect-address", ...shared });
    this.perSession = new AttemptLimiter(merged.perSession, { name: "connect-session", ...shared });
    this.badTokens = new AttemptLimiter(merged.badTokensPerAddress, { name: "connect-bad-token", ...shared });
  }

  /** Counts a request from `address`; throws `rate_limited` when the address is over a limit. */
  async admitAddress(address: string): Promise<void> {
    await this.badTokens.assertAllowed(
      address,
      "Too many invalid Connect links were tried from this address.",
      "",
    );
    await this.perAddress.admit(address, "Too many requests from this address.", WAIT_HINT);
  }

  /** Counts an unknown or malformed token presented from `address`. */
  badToken(address: string): Promise<void> {
    return this.badTokens.record(address);
  }

  /** Counts a request of a session; throws `rate_limited` when the session is over its limit. */
  admitSession(sessionId: string): Promise<void> {
    return this.perSession.admit(sessionId, "Too many requests with this Connect link.", WAIT_HINT);
  }
}
