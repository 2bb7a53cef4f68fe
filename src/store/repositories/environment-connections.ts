/** Connections as the platform API sees them: always within one environment, filtered and paginated. */
import type { Kysely } from "kysely";
import { NotFoundError } from "../../core/index.ts";
import { type Page, pageNewestFirst } from "../cursor.ts";
import { nowIso } from "../ids.ts";
import type { Database } from "../schema.ts";
import type { ConnectionRow } from "./connections.ts";

export interface ConnectionFilter {
  provider?: string;
  endUserId?: string;
  status?: string;
  /** Connections carrying every one of these tags. */
  tags?: readonly string[];
  cursor?: string;
  limit: number;
}

/** The connection with this id in this environment, or NotFoundError (other environments' do not exist here). */
export async function getConnectionIn(
  db: Kysely<Database>,
  environmentId: string,
  id: string,
): Promise<ConnectionRow> {
  const row = await db
    .selectFrom("connections")
    .selectAll()
    .where("id", "=", id)
    .where("environment_id", "=", environmentId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError("Connection", id);
  return row;
}

/** Pages through an environment's connections, newest first, matching every given filter. */
export async function listConnectionsIn(
  db: Kysely<Database>,
  environmentId: string,
  filter: ConnectionFilter,
): Promise<Page<ConnectionRow>> {
  let query = db.selectFrom("connections").selectAll().where("environment_id", "=", environmentId);
  if (filter.provider) query = query.where("provider", "=", filter.provider);
  if (filter.endUserId) query = query.where("end_user_id", "=", filter.endUserId);
  if (filter.status) query = query.where("status", "=", filter.status);
  const tags = [...new Set(filter.tags ?? [])];
  if (tags.length > 0) {
    query = query.where("id", "in", (eb) =>
      eb
        .selectFrom("connection_tags")
        .select("connection_id")
        .where("tag", "in", tags)
        .groupBy("connection_id")
        .having((h) => h.fn.count("tag"), "=", tags.length),
    );
  }
  return pageNewestFirst(query, { at: "created_at", id: "id" }, filter, (row) => [row.created_at, row.id]);
}

export interface ConnectionPatch {
  status?: string;
  sealedCredentials?: string;
  metadata?: Record<string, unknown>;
  config?: Record<string, unknown>;
  endUserEmail?: string | null;
  endUserOrganization?: string | null;
  /** `null` clears it. */
  lastError?: { code: string; message: string; hint?: string } | null;
  lastCheckedAt?: string;
}

/** Applies the given changes to a connection and bumps `updated_at`; absent fields stay as they are. */
export async function patchConnection(
  db: Kysely<Database>,
  id: string,
  patch: ConnectionPatch,
): Promise<void> {
  const set: Record<string, string | null> = { updated_at: nowIso() };
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.sealedCredentials !== undefined) set.credentials = patch.sealedCredentials;
  if (patch.metadata !== undefined) set.metadata = JSON.stringify(patch.metadata);
  if (patch.config !== undefined) set.config = JSON.stringify(patch.config);
  if (patch.endUserEmail !== undefined) set.end_user_email = patch.endUserEmail;
  if (patch.endUserOrganization !== undefined) set.end_user_organization = patch.endUserOrganization;
  if (patch.lastError !== undefined)
    set.last_error = patch.lastError ? JSON.stringify(patch.lastError) : null;
  if (patch.lastCheckedAt !== undefined) set.last_checked_at = patch.lastCheckedAt;
  await db.updateTable("connections").set(set).where("id", "=", id).execute();
}

/** The ids of every connection of an environment: what scopes its rows in the warehouse. */
export async function connectionIdsIn(db: Kysely<Database>, environmentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("connections")
    .select("id")
    .where("environment_id", "=", environmentId)
    .execute();
  return rows.map((row) => row.id);
}
