import type { Kysely, Selectable } from "kysely";
import { NotFoundError } from "../../core/index.ts";
import { newId, nowIso } from "../ids.ts";
import type { ConnectionsTable, Database } from "../schema.ts";

export type ConnectionRow = Selectable<ConnectionsTable>;

export interface NewConnection {
  environmentId: string;
  provider: string;
  endUserId?: string;
  endUserEmail?: string;
  endUserOrganization?: string;
  config?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** Credentials already sealed by the vault: the store never sees plaintext secrets. */
  sealedCredentials: string;
}

/** Inserts a connection in status `active` and returns it. */
export async function createConnection(db: Kysely<Database>, input: NewConnection): Promise<ConnectionRow> {
  const at = nowIso();
  const row: ConnectionRow = {
    id: newId("conn"),
    environment_id: input.environmentId,
    provider: input.provider,
    end_user_id: input.endUserId ?? null,
    status: "active",
    config: JSON.stringify(input.config ?? {}),
    credentials: input.sealedCredentials,
    created_at: at,
    updated_at: at,
    end_user_email: input.endUserEmail ?? null,
    end_user_organization: input.endUserOrganization ?? null,
    metadata: JSON.stringify(input.metadata ?? {}),
    last_error: null,
    last_checked_at: null,
    account_token_hash: null,
  };
  await db.insertInto("connections").values(row).execute();
  return row;
}

/** Returns the connection or throws NotFoundError. */
export async function getConnection(db: Kysely<Database>, id: string): Promise<ConnectionRow> {
  const row = await db.selectFrom("connections").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("Connection", id);
  return row;
}

/** Finds the connection of an end user at a provider in an environment, if any. */
export async function findConnection(
  db: Kysely<Database>,
  where: { environmentId: string; provider: string; endUserId: string },
): Promise<ConnectionRow | undefined> {
  return db
    .selectFrom("connections")
    .selectAll()
    .where("environment_id", "=", where.environmentId)
    .where("provider", "=", where.provider)
    .where("end_user_id", "=", where.endUserId)
    .executeTakeFirst();
}

/** Changes a connection's sealed credentials, config or status. */
export async function updateConnection(
  db: Kysely<Database>,
  id: string,
  changes: { sealedCredentials?: string; config?: Record<string, unknown>; status?: string },
): Promise<void> {
  await db
    .updateTable("connections")
    .set({
      ...(changes.sealedCredentials ? { credentials: changes.sealedCredentials } : {}),
      ...(changes.config ? { config: JSON.stringify(changes.config) } : {}),
      ...(changes.status ? { status: changes.status } : {}),
      updated_at: nowIso(),
    })
    .where("id", "=", id)
    .execute();
}
