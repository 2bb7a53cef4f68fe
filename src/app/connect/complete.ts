import { type Credentials, type ProviderDefinition, SwitchyardError } from "../../core/index.ts";
import {
  type ConnectionRow,
  type ConnectSessionRow,
  claimConnectSession,
  getConnectionIn,
  getConnectSessionIn,
  inTransaction,
  nowIso,
  setConnectSessionConnection,
} from "../../store/index.ts";
import { changeEndUserConnection, createEndUserConnection } from "../connections/lifecycle.ts";
import { accountBaseUrl } from "../connections/provider-http.ts";
import type { PlatformDeps } from "../platform.ts";
import { assertPending } from "./sessions.ts";

/**
 * Ends a session with working credentials, atomically: marks it used (exactly one caller can), then creates
 * the end user's connection (`connection.created` naming the session and end user) — or, for a reconnect,
 * gives the session's connection the new credentials (`connection.updated`, `active` again).
 */
export async function completeConnectSession(
  deps: Pick<PlatformDeps, "db" | "vault" | "providers" | "providerSettings">,
  session: ConnectSessionRow,
  provider: ProviderDefinition,
  credentials: Credentials,
): Promise<ConnectionRow> {
  return inTransaction(deps.db, async (db) => {
    if (!(await claimConnectSession(db, session.id, nowIso()))) {
      // Someone else finished it, or it expired meanwhile: say which.
      assertPending(await getConnectSessionIn(db, session.environment_id, session.id));
      throw new SwitchyardError("conflict", "This Connect session is being completed by another request.");
    }
    const scoped = { ...deps, db };
    // The credentials were checked live just before (Connect checks them before completing).
    const checkedAt = nowIso();
    if (session.connection_id) {
      const existing = await getConnectionIn(db, session.environment_id, session.connection_id);
      return changeEndUserConnection(scoped, existing, { credentials, checkedAt });
    }
    const baseUrl = accountBaseUrl(credentials, deps.providerSettings?.[provider.name]?.baseUrl);
    const created = await createEndUserConnection(scoped, {
      environmentId: session.environment_id,
      provider: provider.name,
      credentials,
      endUser: {
        id: session.end_user_id,
        email: session.end_user_email,
        organization: session.end_user_organization,
      },
      ...(baseUrl ? { config: { baseUrl } } : {}),
      connectSessionId: session.id,
      checkedAt,
    });
    await setConnectSessionConnection(db, session.id, created.id);
    return created;
  });
}
