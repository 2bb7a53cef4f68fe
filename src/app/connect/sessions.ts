/**
 * Connect sessions: the product's backend opens one for an end user and hands its short-lived token (or
 * the Connect URL) to the browser. Tokens carry 256 random bits and are stored only as sha256 hashes.
 */
import { createHash, randomBytes } from "node:crypto";
import { NotFoundError, RequestInvalidError, SwitchyardError } from "../../core/index.ts";
import {
  type ConnectSessionRow,
  findConnectSessionByToken,
  getConnectionIn,
  insertConnectSession,
  nowIso,
  recordFailedConnectAttempt,
} from "../../store/index.ts";
import type { EndUser } from "../connections/lifecycle.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";

export const CONNECT_TOKEN_PREFIX = "cst_";
export const DEFAULT_SESSION_SECONDS = 30 * 60;
export const MAX_SESSION_SECONDS = 24 * 60 * 60;
export const MIN_SESSION_SECONDS = 60;

/** Failed credential attempts after which a session is locked. */
export const MAX_FAILED_ATTEMPTS = 5;

export type ConnectSessionStatus = "pending" | "connected" | "expired" | "locked";

/** sha256 of a session token, hex: what the store keeps. */
export function hashConnectToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * `connected` once it made (or re-authorised) its connection, `locked` after too many failed attempts,
 * `expired` after its expiry, else `pending`.
 */
export function sessionStatus(row: ConnectSessionRow, now = Date.now()): ConnectSessionStatus {
  if (row.used_at) return "connected";
  if (row.locked_at) return "locked";
  return Date.parse(row.expires_at) <= now ? "expired" : "pending";
}

/** The provider names the session lets its end user connect. */
export function allowedProvidersOf(row: ConnectSessionRow): string[] {
  return JSON.parse(row.allowed_providers) as string[];
}

/** The hosted Connect page's URL for a token, under `deps.publicUrl`. */
export function connectUrl(deps: Pick<PlatformDeps, "publicUrl">, token: string): string {
  return `${publicBase(deps)}/connect?token=${encodeURIComponent(token)}`;
}

/** Where end users' browsers reach this Switchyard; throws config_invalid when it is not configured. */
export function publicBase(deps: Pick<PlatformDeps, "publicUrl">): string {
  if (!deps.publicUrl) {
    throw new SwitchyardError("config_invalid", "This Switchyard does not know its public URL.", {
      hint: "Set SWITCHYARD_PUBLIC_URL (e.g. https://switchyard.example.com) and restart.",
    });
  }
  return deps.publicUrl.replace(/\/+$/, "");
}

export interface NewConnectSession {
  environmentId: string;
  endUser: EndUser;
  /** Default: every provider this Switchyard knows. */
  allowedProviders?: readonly string[];
  /** Default 30 minutes; 60 s to 24 h. */
  expiresInSeconds?: number;
  /** Re-authorise this connection (of the environment) instead of creating a new one. */
  connectionId?: string;
}

/** Opens a session and returns it with its token, which exists nowhere else and is shown once. */
export async function openConnectSession(
  deps: Pick<PlatformDeps, "db" | "providers">,
  input: NewConnectSession,
): Promise<{ session: ConnectSessionRow; token: string }> {
  const seconds = input.expiresInSeconds ?? DEFAULT_SESSION_SECONDS;
  let allowed = [...new Set(input.allowedProviders ?? Object.keys(deps.providers))];
  for (const name of allowed) findProvider(deps.providers, name);
  let connectionId: string | undefined;
  if (input.connectionId) {
    const connection = await getConnectionIn(deps.db, input.environmentId, input.connectionId);
    if (connection.end_user_id !== input.endUser.id) {
      throw new RequestInvalidError([
        {
          location: "body",
          path: "end_user.id",
          message: "Must be the end user of the connection to re-authorise.",
        },
      ]);
    }
    if (input.allowedProviders && !allowed.includes(connection.provider)) {
      throw new RequestInvalidError([
        {
          location: "body",
          path: "allowed_providers",
          message: `Must include "${connection.provider}", the connection's provider.`,
        },
      ]);
    }
    allowed = [connection.provider];
    connectionId = connection.id;
  }
  const token = `${CONNECT_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const session = await insertConnectSession(deps.db, {
    environmentId: input.environmentId,
    tokenHash: hashConnectToken(token),
    endUser: input.endUser,
    allowedProviders: allowed,
    expiresAt: new Date(Date.now() + seconds * 1000).toISOString(),
    ...(connectionId ? { connectionId } : {}),
  });
  return { session, token };
}

function unauthenticated(message: string): SwitchyardError {
  return new SwitchyardError("unauthenticated", message, {
    hint: "Ask the app that sent you here for a new Connect link.",
  });
}

/**
 * The pending session a token opens. Throws `unauthenticated` for unknown tokens, `connect_session_expired`
 * and `connect_session_used` for sessions past their use — each with a message an end user can act on.
 */
export async function authenticateConnectToken(
  deps: Pick<PlatformDeps, "db">,
  token: string,
): Promise<ConnectSessionRow> {
  const session = token.startsWith(CONNECT_TOKEN_PREFIX)
    ? await findConnectSessionByToken(deps.db, hashConnectToken(token))
    : undefined;
  if (!session) throw unauthenticated("This Connect link is not valid.");
  assertPending(session);
  return session;
}

function sessionLocked(): SwitchyardError {
  return new SwitchyardError(
    "connect_session_locked",
    "This Connect link has been locked after too many failed attempts.",
    { hint: "Go back to the app and ask for a new Connect link." },
  );
}

/** Throws the end-user error for a session that can no longer connect anything. */
export function assertPending(session: ConnectSessionRow): void {
  const status = sessionStatus(session);
  if (status === "connected") {
    throw new SwitchyardError(
      "connect_session_used",
      "This Connect link was already used to connect an account.",
      {
        hint: "The account is connected. To connect another one, ask the app for a new Connect link.",
      },
    );
  }
  if (status === "locked") throw sessionLocked();
  if (status === "expired") {
    throw new SwitchyardError("connect_session_expired", "This Connect link has expired.", {
      hint: "Go back to the app and start connecting again to get a new link.",
    });
  }
}

/** Throws not_found unless the session may connect this provider. */
export function assertProviderAllowed(session: ConnectSessionRow, provider: string): void {
  if (!allowedProvidersOf(session).includes(provider)) throw new NotFoundError("Provider", provider);
}

/**
 * Runs one credential attempt of a session. When the provider rejects the credentials, the failure is
 * counted on the session; the attempt that reaches MAX_FAILED_ATTEMPTS locks it and throws
 * `connect_session_locked` instead, so a Connect link cannot be used to guess credentials.
 */
export async function countingFailedAttempts<T>(
  deps: Pick<PlatformDeps, "db">,
  session: ConnectSessionRow,
  attempt: () => Promise<T>,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof SwitchyardError && REJECTED_CREDENTIALS.has(error.code))) throw error;
    const { locked } = await recordFailedConnectAttempt(deps.db, session.id, MAX_FAILED_ATTEMPTS, nowIso());
    throw locked ? sessionLocked() : error;
  }
}

/** Error codes meaning the provider refused what the end user entered or authorised. */
const REJECTED_CREDENTIALS = new Set<string>(["credentials_rejected", "reauthorization_required"]);
