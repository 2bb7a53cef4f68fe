/**
 * Creating, changing and deleting a customer's connection: credentials are checked against the provider's
 * auth scheme and sealed by the vault before they reach the store, and every change lands in the event log.
 */
import type { Kysely } from "kysely";
import {
  ConfigError,
  type Credentials,
  type ProviderDefinition,
  RequestInvalidError,
} from "../../core/index.ts";
import { assertBaseUrlAllowed } from "../../http/index.ts";
import {
  appendEvent,
  type ConnectionRow,
  createConnection,
  type Database,
  deleteConnectionCascade,
  environmentAllowsPrivateNetwork,
  getConnection,
  inTransaction,
  patchConnection,
  setConnectionTags,
} from "../../store/index.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import { removeSnapshotFile, snapshotFilePath } from "../reverse-etl/snapshot-file.ts";
import { createDefaultSync } from "../syncs/syncs.ts";
import { checkCandidateCredentials } from "./check.ts";
import type { ConnectionConfig } from "./connections.ts";
import type { ConnectionStatus } from "./status.ts";

export interface EndUser {
  id: string;
  email?: string | null;
  organization?: string | null;
}

export interface NewEndUserConnection {
  environmentId: string;
  provider: string;
  credentials: Credentials;
  endUser: EndUser;
  tags?: readonly string[];
  metadata?: Record<string, unknown>;
  config?: ConnectionConfig;
  /** The Connect session the end user connected through, named in the `connection.created` event. */
  connectSessionId?: string;
  /** When the credentials were checked live (Connect checks them before connecting). */
  checkedAt?: string;
}

/** Throws request_invalid unless the credentials are of the provider's auth scheme (or its OAuth2). */
export function assertCredentialsFit(provider: ProviderDefinition, credentials: Credentials): void {
  if (credentials.type === "oauth2" && provider.oauth2) return;
  if (credentials.type !== provider.auth.type) {
    throw new RequestInvalidError(
      [
        {
          location: "body",
          path: "credentials.type",
          message: `${provider.displayName} uses "${provider.auth.type}" credentials, not "${credentials.type}".`,
        },
      ],
      `Send credentials of type "${provider.auth.type}".`,
    );
  }
}

/**
 * Throws request_invalid naming `config.base_url` when the base URL carries a user name or password, or is
 * (or resolves to) a loopback, private, link-local or metadata address in an environment that does not
 * allow private addresses. Requests are guarded again when they are made (the address may change).
 */
export async function assertBaseUrlFits(
  db: Kysely<Database>,
  environmentId: string,
  config: ConnectionConfig | undefined,
): Promise<void> {
  if (!config?.baseUrl) return;
  try {
    await assertBaseUrlAllowed(config.baseUrl, {
      allowPrivateAddresses: await environmentAllowsPrivateNetwork(db, environmentId),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new RequestInvalidError(
      [{ location: "body", path: "config.base_url", message: error.message }],
      error.hint,
    );
  }
}

/**
 * Creates a connection in status `active` with sealed credentials and tags, gives it the default sync
 * (every stream, hourly, first run at once), and logs `connection.created`.
 */
export async function createEndUserConnection(
  deps: Pick<PlatformDeps, "db" | "vault" | "providers">,
  input: NewEndUserConnection,
): Promise<ConnectionRow> {
  const provider = findProvider(deps.providers, input.provider);
  assertCredentialsFit(provider, input.credentials);
  await assertBaseUrlFits(deps.db, input.environmentId, input.config);
  const row = await inTransaction(deps.db, async (trx) => {
    const created = await createConnection(trx, {
      environmentId: input.environmentId,
      provider: provider.name,
      endUserId: input.endUser.id,
      ...(input.endUser.email ? { endUserEmail: input.endUser.email } : {}),
      ...(input.endUser.organization ? { endUserOrganization: input.endUser.organization } : {}),
      config: input.config ?? {},
      metadata: input.metadata ?? {},
      sealedCredentials: deps.vault.seal(JSON.stringify(input.credentials)),
    });
    if (input.checkedAt) await patchConnection(trx, created.id, { lastCheckedAt: input.checkedAt });
    await setConnectionTags(trx, created.id, input.tags ?? []);
    await createDefaultSync(trx, provider, created.id);
    await appendEvent(trx, {
      environmentId: input.environmentId,
      type: "connection.created",
      connectionId: created.id,
      data: {
        connection_id: created.id,
        provider: provider.name,
        end_user_id: input.endUser.id,
        ...(input.connectSessionId
          ? {
              connect_session_id: input.connectSessionId,
              end_user: {
                id: input.endUser.id,
                email: input.endUser.email ?? null,
                organization: input.endUser.organization ?? null,
              },
            }
          : {}),
      },
    });
    return created;
  });
  return row;
}

export interface ConnectionChanges {
  credentials?: Credentials;
  /** Only `active` and `paused` can be chosen; the others are set by what Switchyard observes. */
  status?: Extract<ConnectionStatus, "active" | "paused">;
  tags?: readonly string[];
  metadata?: Record<string, unknown>;
  endUser?: { email?: string | null; organization?: string | null };
  config?: ConnectionConfig;
  /** When new credentials were checked live against the provider (stored as `last_checked_at`). */
  checkedAt?: string;
}

/**
 * The API's update: new credentials are first checked live with the provider (at the new base URL when one
 * is given), and refused with the provider's own error when it rejects them, storing nothing at all.
 */
export async function updateEndUserConnection(
  deps: PlatformDeps,
  row: ConnectionRow,
  changes: Omit<ConnectionChanges, "checkedAt">,
): Promise<ConnectionRow> {
  if (!changes.credentials) return changeEndUserConnection(deps, row, changes);
  assertCredentialsFit(findProvider(deps.providers, row.provider), changes.credentials);
  await assertBaseUrlFits(deps.db, row.environment_id, changes.config);
  const checkedAt = await checkCandidateCredentials(deps, row, changes.credentials, changes.config);
  return changeEndUserConnection(deps, row, { ...changes, checkedAt });
}

/**
 * Applies changes to a connection and logs `connection.updated` naming the changed fields (never values).
 * New credentials re-activate a connection that needed re-authorisation, unless it is paused.
 */
export async function changeEndUserConnection(
  deps: Pick<PlatformDeps, "db" | "vault" | "providers">,
  row: ConnectionRow,
  changes: ConnectionChanges,
): Promise<ConnectionRow> {
  if (changes.credentials)
    assertCredentialsFit(findProvider(deps.providers, row.provider), changes.credentials);
  await assertBaseUrlFits(deps.db, row.environment_id, changes.config);
  const status = changes.status ?? (changes.credentials && row.status !== "paused" ? "active" : undefined);
  // Field names as the API spells them (`end_user`), never values.
  const changed = (Object.keys(changes) as (keyof ConnectionChanges)[])
    .filter((key) => changes[key] !== undefined && key !== "checkedAt")
    .map((key) => (key === "endUser" ? "end_user" : key));
  await inTransaction(deps.db, async (trx) => {
    await patchConnection(trx, row.id, {
      ...(status ? { status } : {}),
      ...(changes.credentials
        ? { sealedCredentials: deps.vault.seal(JSON.stringify(changes.credentials)), lastError: null }
        : {}),
      ...(changes.metadata ? { metadata: changes.metadata } : {}),
      ...(changes.config ? { config: changes.config } : {}),
      ...(changes.checkedAt ? { lastCheckedAt: changes.checkedAt } : {}),
      ...(changes.endUser?.email !== undefined ? { endUserEmail: changes.endUser.email } : {}),
      ...(changes.endUser?.organization !== undefined
        ? { endUserOrganization: changes.endUser.organization }
        : {}),
    });
    if (changes.tags) await setConnectionTags(trx, row.id, changes.tags);
    await appendEvent(trx, {
      environmentId: row.environment_id,
      type: "connection.updated",
      connectionId: row.id,
      data: { connection_id: row.id, changed, ...(status && status !== row.status ? { status } : {}) },
    });
  });
  return getConnection(deps.db, row.id);
}

/**
 * Deletes a connection with its records, state, runs, logs, sealed credentials, and the reverse-ETL syncs and
 * flows that use it (with the snapshot files of those syncs); logs `connection.deleted`.
 */
export async function deleteEndUserConnection(
  deps: Pick<PlatformDeps, "db" | "warehouse">,
  row: ConnectionRow,
): Promise<void> {
  const { reverseEtlSyncIds } = await deleteConnectionCascade(deps.db, row.id);
  const warehouse = deps.warehouse;
  if (warehouse)
    for (const syncId of reverseEtlSyncIds)
      await removeSnapshotFile(snapshotFilePath(warehouse.path, syncId));
  await appendEvent(deps.db, {
    environmentId: row.environment_id,
    type: "connection.deleted",
    connectionId: row.id,
    data: { connection_id: row.id, provider: row.provider, end_user_id: row.end_user_id },
  });
}
