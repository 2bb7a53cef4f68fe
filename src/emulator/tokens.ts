/**
 * Bearer auth: `Authorization: Bearer <token>` against the configured private app tokens and the OAuth
 * access tokens granted so far (which lapse at their expiry), with tokens that can be expired on demand or
 * after a number of requests.
 */
import { authErrors, type HubSpotApiError } from "./errors.ts";

export class TokenRegistry {
  private readonly valid: Set<string>;
  private readonly expired = new Set<string>();
  private readonly counts = new Map<string, number>();
  /** OAuth access tokens and when they stop working (epoch ms, wall clock). */
  private readonly expiresAt = new Map<string, number>();
  /** A token's position in the configured list names its app in rate-limit bodies. */
  readonly appIds = new Map<string, number>();

  constructor(tokens: readonly string[]) {
    this.valid = new Set(tokens);
    tokens.forEach((token, index) => {
      this.appIds.set(token, 1_000_000 + index);
    });
  }

  /** Marks a token as expired: every later request with it gets 401 EXPIRED_AUTHENTICATION. */
  expire(token: string): void {
    this.expired.add(token);
  }

  /** Accepts an OAuth access token until `expiresAt` (epoch ms); `appId` names its app in rate-limit bodies. */
  grant(token: string, expiresAt: number, appId: number): void {
    this.valid.add(token);
    this.expiresAt.set(token, expiresAt);
    this.appIds.set(token, appId);
  }

  /** Forgets expiries and request counts. */
  reset(): void {
    this.expired.clear();
    this.counts.clear();
  }

  /**
   * Authenticates one request. Returns the token, or the 401 to send. `expiresAfter` expires a token once
   * it has made that many requests.
   */
  authenticate(
    header: string | undefined,
    expiresAfter: number | undefined,
  ): { token: string } | { error: HubSpotApiError } {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return { error: authErrors.missing() };
    const token = match[1]!;
    if (!this.valid.has(token)) return { error: authErrors.invalid() };
    const used = (this.counts.get(token) ?? 0) + 1;
    this.counts.set(token, used);
    const lapsed = (this.expiresAt.get(token) ?? Number.POSITIVE_INFINITY) <= Date.now();
    if (lapsed || this.expired.has(token) || (expiresAfter !== undefined && used > expiresAfter)) {
      return { error: authErrors.expired() };
    }
    return { token };
  }
}
