/**
 * Failed Connect attempts are counted in the store, atomically, on SQLite and Postgres alike: concurrent
 * failures are all counted, and the one that reaches the limit locks the session and drops its OAuth2 attempt.
 */
import { describe, expect } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import type { Store } from "../open-store.ts";
import {
  getConnectSessionIn,
  insertConnectSession,
  recordFailedConnectAttempt,
  setConnectSessionOAuth,
} from "./connect-sessions.ts";
import { ensureEnvironment } from "./environments.ts";

async function countsAndLocks(store: Store): Promise<void> {
  const dev = await ensureEnvironment(store.db, "dev");
  const session = await insertConnectSession(store.db, {
    environmentId: dev.id,
    tokenHash: `hash-${Math.random()}`,
    endUser: { id: "customer-1" },
    allowedProviders: ["hubspot"],
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
  });
  await setConnectSessionOAuth(store.db, session.id, { stateHash: "state-hash", sealed: "sealed" });
  const at = new Date().toISOString();
  const results = await Promise.all(
    [1, 2, 3, 4].map(() => recordFailedConnectAttempt(store.db, session.id, 5, at)),
  );
  expect(results.map((r) => r.locked)).toEqual([false, false, false, false]);
  expect(Math.max(...results.map((r) => r.failedAttempts))).toBe(4);
  expect(await recordFailedConnectAttempt(store.db, session.id, 5, at)).toEqual({
    failedAttempts: 5,
    locked: true,
  });
  const row = await getConnectSessionIn(store.db, dev.id, session.id);
  expect(row).toMatchObject({
    failed_attempts: 5,
    locked_at: at,
    oauth_state_hash: null,
    oauth_pending: null,
  });
  // Later failures keep the first lock time.
  await recordFailedConnectAttempt(store.db, session.id, 5, new Date(Date.now() + 1000).toISOString());
  expect((await getConnectSessionIn(store.db, dev.id, session.id)).locked_at).toBe(at);
}

describe("connect session locks", () => {
  itOnSqliteAndPostgres(countsAndLocks);
});
