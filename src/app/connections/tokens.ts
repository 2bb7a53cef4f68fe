/**
 * OAuth2 access tokens of stored connections. One token manager per connection and database in this
 * process, so every client of a connection (checks, runs) shares its single-flight refresh. Refreshed tokens
 * are sealed and stored before use; a refused refresh token makes the connection `needs_reauth`.
 * When the process shares state with others (Redis, or a Postgres store: see budgetStoreFor), a refresh
 * also takes the connection's lock there and first rereads the row, so all processes together make one
 * token-endpoint call. Embedded (SQLite), the in-process single-flight is all there is.
 */
import type { Kysely } from "kysely";
import { type Credentials, describeError, NotFoundError, type OAuth2Credentials } from "../../core/index.ts";
import {
  type AccessTokenSource,
  type BudgetStore,
  budgetStoreFor,
  OAuth2TokenManager,
  type SharedRefresh,
} from "../../http/index.ts";
import {
  type ConnectionRow,
  type Database,
  getConnection,
  patchConnection,
  swapSealedCredentials,
} from "../../store/index.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import { oauthClientFor } from "../provider-settings.ts";
import { storedCredentialsSchema } from "./connections.ts";
import { setConnectionStatus } from "./status.ts";

interface Entry {
  manager: OAuth2TokenManager;
  /** Sealed credentials this manager started from or wrote: a row holding one of them is up to date. */
  sealed: Set<string>;
}

const managers = new WeakMap<Kysely<Database>, Map<string, Entry>>();

export type TokenDeps = Pick<PlatformDeps, "db" | "vault" | "providers" | "providerSettings"> & {
  /** Where the refresh lock lives; default the backend chosen for `db` (budgetStoreFor). */
  budgetStore?: BudgetStore;
};

/** Longer than a token request can take: a lock outliving its holder (a killed worker) frees itself then. */
const REFRESH_LOCK_TTL_MS = 60_000;

/**
 * The token source of a connection holding OAuth2 credentials, shared in this process; undefined for other
 * credentials, or when this deployment has no OAuth app for the provider (the stored token is sent as is).
 */
export function connectionTokenSource(
  deps: TokenDeps,
  row: ConnectionRow,
  credentials: Credentials,
): AccessTokenSource | undefined {
  if (credentials.type !== "oauth2") return undefined;
  const provider = findProvider(deps.providers, row.provider);
  const config = oauthClientFor(provider, deps.providerSettings?.[provider.name]);
  if (!config) return undefined;
  let byConnection = managers.get(deps.db);
  if (!byConnection) {
    byConnection = new Map();
    managers.set(deps.db, byConnection);
  }
  const known = byConnection.get(row.id);
  if (known?.sealed.has(row.credentials)) return known.manager;

  const sealed = new Set([row.credentials]);
  let previous = credentials;
  const store = deps.budgetStore ?? budgetStoreFor(deps.db);
  const shared: SharedRefresh | undefined =
    store.kind === "memory"
      ? undefined
      : {
          lock: (task) => store.withLock(`oauth-refresh:${row.id}`, REFRESH_LOCK_TTL_MS, task),
          load: async () => {
            const stored = await loadStoredOAuth2(deps, row.id);
            if (stored) {
              previous = stored.credentials;
              sealed.add(stored.sealed);
            }
            return stored?.credentials;
          },
        };
  const manager = new OAuth2TokenManager({
    config,
    credentials,
    ...(shared ? { shared } : {}),
    onRefreshed: async (next) => {
      const replaced = previous;
      previous = next;
      const sealedNext = deps.vault.seal(JSON.stringify(next));
      sealed.add(sealedNext);
      await storeRefreshed(deps, row.id, replaced, sealedNext);
    },
    onRejected: async (error) => {
      const current = await getConnection(deps.db, row.id).catch((caught: unknown) => {
        if (caught instanceof NotFoundError) return undefined;
        throw caught;
      });
      if (!current) return;
      const problem = describeError(error);
      if (current.status === "paused") await patchConnection(deps.db, row.id, { lastError: problem });
      else await setConnectionStatus(deps.db, current, "needs_reauth", problem);
    },
  });
  byConnection.set(row.id, { manager, sealed });
  return manager;
}

/**
 * Stores refreshed tokens unless the connection meanwhile got other credentials (a reconnect) or was
 * deleted: only a row still holding the grant that was refreshed is overwritten, compare-and-set.
 */
async function storeRefreshed(
  deps: TokenDeps,
  connectionId: string,
  replaced: OAuth2Credentials,
  sealedNext: string,
): Promise<void> {
  const current = await loadStoredOAuth2(deps, connectionId);
  if (!current) return;
  const stored = current.credentials;
  const sameGrant =
    stored.accessToken === replaced.accessToken ||
    (replaced.refreshToken !== undefined && stored.refreshToken === replaced.refreshToken);
  if (sameGrant) await swapSealedCredentials(deps.db, connectionId, current.sealed, sealedNext);
}

/** The connection's OAuth2 credentials as stored now, with their sealed form; undefined if gone or not OAuth2. */
async function loadStoredOAuth2(
  deps: TokenDeps,
  connectionId: string,
): Promise<{ credentials: OAuth2Credentials; sealed: string } | undefined> {
  const current = await getConnection(deps.db, connectionId).catch((caught: unknown) => {
    if (caught instanceof NotFoundError) return undefined;
    throw caught;
  });
  if (!current) return undefined;
  const stored = storedCredentialsSchema.safeParse(JSON.parse(deps.vault.open(current.credentials)));
  if (!stored.success || stored.data.type !== "oauth2") return undefined;
  return { credentials: stored.data as OAuth2Credentials, sealed: current.credentials };
}
