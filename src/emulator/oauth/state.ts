/**
 * What an emulated OAuth2 authorization server remembers: registered apps, pending consents, authorization
 * codes, refresh grants, and how many token requests it served. Access tokens live in the TokenRegistry, so
 * the API accepts them like configured tokens until they lapse.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { TokenRegistry } from "../tokens.ts";
import type { OAuthServerConfig } from "./config.ts";

/** An app as set up in the provider's developer console: its credentials, redirect URLs and scopes. */
export interface OAuthAppSpec {
  clientId: string;
  clientSecret: string;
  name?: string;
  /** Exact redirect URLs the app accepts. */
  redirectUris: readonly string[];
  /** The app's scopes (with `scopeRule: "require-all"`, every one must be requested). */
  scopes: readonly string[];
  /** Scopes that may also be requested (through `optionalScopeParam`). */
  optionalScopes?: readonly string[];
}

const CODE_TTL_MS = 10 * 60_000;

export interface RegisteredApp extends OAuthAppSpec {
  appId: number;
}

/** A consent screen shown and not yet answered. */
export interface PendingConsent {
  app: RegisteredApp;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
}

export interface IssuedCode {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | undefined;
  expiresAt: number;
}

export interface RefreshGrant {
  clientId: string;
  appId: number;
  scopes: string[];
  revoked: boolean;
  accessTokens: string[];
}

export interface TokenRequestCounts {
  authorization_code: number;
  refresh_token: number;
  /** Requests with a missing or unknown grant type. */
  other: number;
  total: number;
}

export class OAuthState {
  readonly apps = new Map<string, RegisteredApp>();
  readonly consents = new Map<string, PendingConsent>();
  readonly codes = new Map<string, IssuedCode>();
  readonly refreshGrants = new Map<string, RefreshGrant>();
  accessTokenTtlSeconds: number;
  requests: TokenRequestCounts = emptyCounts();

  constructor(
    readonly tokens: TokenRegistry,
    readonly config: OAuthServerConfig,
    apps: readonly OAuthAppSpec[] = [],
  ) {
    this.accessTokenTtlSeconds = config.accessTokenTtlSeconds;
    for (const app of apps) this.registerApp(app);
  }

  /** Adds (or replaces) an app; its tokens are rate-limited as their own app. */
  registerApp(spec: OAuthAppSpec): RegisteredApp {
    const app = { ...spec, appId: this.apps.get(spec.clientId)?.appId ?? 2_000_000 + this.apps.size };
    this.apps.set(spec.clientId, app);
    return app;
  }

  /** Stores a consent screen's request; returns its id for the form. */
  holdConsent(consent: PendingConsent): string {
    const id = randomUUID();
    this.consents.set(id, consent);
    return id;
  }

  /** A single-use code for an approved consent. */
  issueCode(consent: PendingConsent): string {
    const code = randomUUID();
    this.codes.set(code, {
      clientId: consent.app.clientId,
      redirectUri: consent.redirectUri,
      scopes: consent.scopes,
      codeChallenge: consent.codeChallenge,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    return code;
  }

  /** A new access token under a grant, accepted by the API until it lapses. */
  issueAccessToken(grant: RefreshGrant): { token: string; expiresIn: number } {
    const token = `${this.config.accessTokenPrefix}${randomBytes(36).toString("base64url")}`;
    const expiresIn = this.accessTokenTtlSeconds;
    this.tokens.grant(token, Date.now() + expiresIn * 1000, grant.appId);
    grant.accessTokens.push(token);
    return { token, expiresIn };
  }

  /** Starts a grant (after a code exchange) and returns its refresh token. */
  openGrant(app: RegisteredApp, scopes: string[]): { refreshToken: string; grant: RefreshGrant } {
    const grant = { clientId: app.clientId, appId: app.appId, scopes, revoked: false, accessTokens: [] };
    return { refreshToken: this.holdGrant(grant), grant };
  }

  /** Moves a grant to a new refresh token (for providers that rotate them); the old one stops working. */
  rotateGrant(refreshToken: string): string {
    const grant = this.refreshGrants.get(refreshToken)!;
    this.refreshGrants.delete(refreshToken);
    return this.holdGrant(grant);
  }

  /** Makes the given access token (or every OAuth access token) be refused as expired. */
  expireAccessTokens(token?: string): number {
    const all = [...this.refreshGrants.values()].flatMap((grant) => grant.accessTokens);
    const chosen = token === undefined ? all : all.filter((candidate) => candidate === token);
    for (const candidate of chosen) this.tokens.expire(candidate);
    return chosen.length;
  }

  /** Revokes the given refresh token (or all): the token endpoint refuses it from now on. */
  revokeRefreshTokens(token?: string): number {
    let count = 0;
    for (const [candidate, grant] of this.refreshGrants) {
      if (token !== undefined && candidate !== token) continue;
      grant.revoked = true;
      count++;
    }
    return count;
  }

  /** Forgets consents and codes and zeroes the counters; apps, grants and tokens stay. */
  reset(): void {
    this.consents.clear();
    this.codes.clear();
    this.requests = emptyCounts();
  }

  private holdGrant(grant: RefreshGrant): string {
    const refreshToken = randomUUID();
    this.refreshGrants.set(refreshToken, grant);
    return refreshToken;
  }
}

function emptyCounts(): TokenRequestCounts {
  return { authorization_code: 0, refresh_token: 0, other: 0, total: 0 };
}

/** The OAuth server's controls on the emulator handle (the same as `/_emulator/oauth/*`). */
export interface OAuthControls {
  registerApp(spec: OAuthAppSpec): void;
  /** Token-endpoint requests so far, by grant type (failed ones included). */
  tokenRequests(): TokenRequestCounts;
  /** Lifetime of access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void;
  expireAccessTokens(accessToken?: string): number;
  revokeRefreshTokens(refreshToken?: string): number;
}

/** Binds the controls to one OAuth state. */
export function createOAuthControls(state: OAuthState): OAuthControls {
  return {
    registerApp: (spec) => void state.registerApp(spec),
    tokenRequests: () => ({ ...state.requests }),
    setAccessTokenTtl: (seconds) => {
      state.accessTokenTtlSeconds = seconds;
    },
    expireAccessTokens: (token) => state.expireAccessTokens(token),
    revokeRefreshTokens: (token) => state.revokeRefreshTokens(token),
  };
}
