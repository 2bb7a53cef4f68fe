/** Connect sessions: stored by token hash, always read within one environment (or by token / OAuth state). */
import { type Kysely, type Selectable, sql } from "kysely";
import { NotFoundError } from "../../core/index.ts";
import { newId, nowIso } from "../ids.ts";
import type { ConnectSessionsTable, Database } from "../schema.ts";

export type ConnectSessionRow = Selectable<ConnectSessionsTable>;

export interface NewConnectSession {
  environmentId: string;
  tokenHash: string;
  endUser: { id: string; email?: string | null; organization?: string | null };
  allowedProviders: readonly string[];
  expiresAt: string;
  /** The connection to re-authorise, when the session is for a reconnect. */
  connectionId?: string;
}

/** Stores a new session by its token's hash (the token never reaches the store) and returns it. */
export async function insertConnectSession(
  db: Kysely<Database>,
  input: NewConnectSession,
): Promise<ConnectSessionRow> {
  const row: ConnectSessionRow = {
    id: newId("cs"),
    environment_id: input.environmentId,
    token_hash: input.tokenHash,
    end_user_id: input.endUser.id,
    end_user_email: input.endUser.email ?? null,
    end_user_organization: input.endUser.organization ?? null,
    allowed_providers: JSON.stringify(input.allowedProviders),
    expires_at: input.expiresAt,
    created_at: nowIso(),
    used_at: null,
    connection_id: input.connectionId ?? null,
    oauth_state_hash: null,
    oauth_pending: null,
    failed_attempts: 0,
    locked_at: null,
  };
  await db.insertInto("connect_sessions").values(row).execute();
  return row;
}

/** The session with this id in this environment, or NotFoundError (other environments' do not exist here). */
export async function getConnectSessionIn(
  db: Kysely<Database>,
  environmentId: string,
  id: string,
): Promise<ConnectSessionRow> {
  const row = await db
    .selectFrom("connect_sessions")
    .selectAll()
    .where("id", "=", id)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Connect session", id);
  return row;
}

/** The session whose token has this hash, if any. */
export async function findConnectSessionByToken(
  db: Kysely<Database>,
  tokenHash: string,
): Promise<ConnectSessionRow | undefined> {
  return db.selectFrom("connect_sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

/** The session with a pending OAuth2 attempt of this state hash, if any. */
export async function findConnectSessionByOAuthState(
  db: Kysely<Database>,
  stateHash: string,
): Promise<ConnectSessionRow | undefined> {
  return db
    .selectFrom("connect_sessions")
    .selectAll()
    .where("oauth_state_hash", "=", stateHash)
    .executeTakeFirst();
}

/** Records (or, with null, clears) the session's pending OAuth2 attempt; a new attempt replaces the last. */
export async function setConnectSessionOAuth(
  db: Kysely<Database>,
  id: string,
  pending: { stateHash: string; sealed: string } | null,
): Promise<void> {
  await db
    .updateTable("connect_sessions")
    .set({ oauth_state_hash: pending?.stateHash ?? null, oauth_pending: pending?.sealed ?? null })
    .where("id", "=", id)
    .execute();
}

/**
 * Marks the session used at `at`, only if it is unused and unexpired then. Returns whether this call did
 * it: of two concurrent claims, exactly one wins.
 */
export async function claimConnectSession(db: Kysely<Database>, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable("connect_sessions")
    .set({ used_at: at, oauth_state_hash: null, oauth_pending: null })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("expires_at", ">", at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Links a used session to the connection it created or re-authorised. */
export async function setConnectSessionConnection(
  db: Kysely<Database>,
  id: string,
  connectionId: string,
): Promise<void> {
  await db
    .updateTable("connect_sessions")
    .set({ connection_id: connectionId })
    .where("id", "=", id)
    .execute();
}

/** Ends a session now (if it has not ended already), so its token stops working. */
export async function expireConnectSession(db: Kysely<Database>, id: string, at: string): Promise<void> {
  await db
    .updateTable("connect_sessions")
    .set({ expires_at: at, oauth_state_hash: null, oauth_pending: null })
    .where("id", "=", id)
    .where("expires_at", ">", at)
    .execute();
}

/**
 * Counts one failed credential attempt of the session and, when that makes `maxAttempts`, locks it at `at`
 * (its token then works no more and any pending OAuth2 attempt is dropped). One statement, so concurrent
 * failures are all counted. Returns the count and whether the session is now locked.
 */
export async function recordFailedConnectAttempt(
  db: Kysely<Database>,
  id: string,
  maxAttempts: number,
  at: string,
): Promise<{ failedAttempts: number; locked: boolean }> {
  const reachesLimit = sql<boolean>`failed_attempts + 1 >= ${maxAttempts}`;
  await db
    .updateTable("connect_sessions")
    .set({
      failed_attempts: sql`failed_attempts + 1`,
      locked_at: sql`CASE WHEN ${reachesLimit} AND locked_at IS NULL THEN ${at} ELSE locked_at END`,
      oauth_state_hash: sql`CASE WHEN ${reachesLimit} THEN NULL ELSE oauth_state_hash END`,
      oauth_pending: sql`CASE WHEN ${reachesLimit} THEN NULL ELSE oauth_pending END`,
    })
    .where("id", "=", id)
    .execute();
  const row = await db
    .selectFrom("connect_sessions")
    .select(["failed_attempts", "locked_at"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return { failedAttempts: Number(row.failed_attempts), locked: row.locked_at !== null };
}
