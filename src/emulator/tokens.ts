/**
 * Credentials an emulator accepts: the configured tokens (API keys, private app tokens) and the OAuth
 * access tokens granted so far (which lapse at their expiry), with tokens that can be expired on demand or
 * after a number of requests. Where a request carries its credential is the provider's choice.
 */
import type { FastifyRequest } from "fastify";

/** Reads the credential a request carries; undefined when it carries none. */
export type CredentialSource = (request: Pick<FastifyRequest, "headers" | "query">) => string | undefined;

/** `Authorization: Bearer <token>`. */
export const bearerToken: CredentialSource = (request) => {
  const header = request.headers.authorization;
  return (header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null)?.[1];
};

/** A header holding the token as is (e.g. `x-api-token`). */
export function headerCredential(name: string): CredentialSource {
  return (request) => {
    const value = request.headers[name.toLowerCase()];
    return (Array.isArray(value) ? value[0] : value) || undefined;
  };
}

/** A query parameter holding the token (e.g. `?api_token=`). */
export function queryCredential(name: string): CredentialSource {
  return (request) => {
    const value = (request.query as Record<string, string | string[] | undefined> | undefined)?.[name];
    return (Array.isArray(value) ? value[0] : value) || undefined;
  };
}

/** The first source that finds a credential. */
export function anyCredential(...sources: CredentialSource[]): CredentialSource {
  return (request) => {
    for (const source of sources) {
      const found = source(request);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

export type AuthResult = { token: string } | { refused: "missing" | "invalid" | "expired" };

export class TokenRegistry {
  private readonly valid: Set<string>;
  private readonly expired = new Set<string>();
  private readonly counts = new Map<string, number>();
  /** OAuth access tokens and when they stop working (epoch ms, wall clock). */
  private readonly expiresAt = new Map<string, number>();
  /** The app each token belongs to: a configured token's position in the list, or its OAuth app. */
  readonly appIds = new Map<string, number>();

  constructor(tokens: readonly string[]) {
    this.valid = new Set(tokens);
    tokens.forEach((token, index) => {
      this.appIds.set(token, 1_000_000 + index);
    });
  }

  /** Marks a token as expired: every later request with it is refused as expired. */
  expire(token: string): void {
    this.expired.add(token);
  }

  /** Accepts an OAuth access token until `expiresAt` (epoch ms); `appId` names its app. */
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

  /** Checks one request's credential. `expiresAfter` expires a token once it has made that many requests. */
  authenticate(credential: string | undefined, expiresAfter: number | undefined): AuthResult {
    if (credential === undefined) return { refused: "missing" };
    if (!this.valid.has(credential)) return { refused: "invalid" };
    const used = (this.counts.get(credential) ?? 0) + 1;
    this.counts.set(credential, used);
    const lapsed = (this.expiresAt.get(credential) ?? Number.POSITIVE_INFINITY) <= Date.now();
    if (lapsed || this.expired.has(credential) || (expiresAfter !== undefined && used > expiresAfter)) {
      return { refused: "expired" };
    }
    return { token: credential };
  }
}
