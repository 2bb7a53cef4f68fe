/**
 * Connections as Merge's linked accounts: `account-details` (the account a token names), `linked-accounts`
 * (an environment's CRM connections, filtered and paged) and `sync-status` (per Common Model, from the syncs
 * of the streams it is mapped from).
 */
import type { Kysely } from "kysely";
import type { ConnectionRow, Database } from "../../store/index.ts";
import {
  type LinkedAccountFilters,
  listLinkedConnections,
  readStreamSyncStates,
  type StreamSyncState,
} from "../../store/repositories/linked-accounts.ts";
import type { MapperRegistry } from "../../unified/mappers.ts";
import type { PlatformDeps } from "../platform.ts";
import { cutPage, decodeCursor, encodeCursor } from "./page-cursor.ts";

export type LinkedAccountStatus = "COMPLETE" | "INCOMPLETE" | "RELINK_NEEDED" | "IDLE";

/**
 * Merge's status of a connection: `needs_reauth` is RELINK_NEEDED, `paused` IDLE; `active` and `error` are
 * COMPLETE (linked; a failing sync shows in `sync-status`). No connection is INCOMPLETE: a Connect session not
 * finished has no connection yet.
 */
export function linkedAccountStatus(status: string): LinkedAccountStatus {
  if (status === "needs_reauth") return "RELINK_NEEDED";
  if (status === "paused") return "IDLE";
  return "COMPLETE";
}

const STATUSES_OF: Record<LinkedAccountStatus, string[]> = {
  COMPLETE: ["active", "error"],
  RELINK_NEEDED: ["needs_reauth"],
  IDLE: ["paused"],
  INCOMPLETE: [],
};

function displayName(deps: Pick<PlatformDeps, "providers">, provider: string): string {
  return Object.hasOwn(deps.providers, provider) ? deps.providers[provider]!.displayName : provider;
}

/** `GET /crm/v1/account-details`: the account the token names. */
export function accountDetails(deps: Pick<PlatformDeps, "providers">, row: ConnectionRow) {
  return {
    id: row.id,
    integration: displayName(deps, row.provider),
    integration_slug: row.provider,
    category: "crm" as const,
    end_user_origin_id: row.end_user_id,
    end_user_organization_name: row.end_user_organization,
    end_user_email_address: row.end_user_email,
    status: linkedAccountStatus(row.status),
    webhook_listener_url: null,
    is_duplicate: false,
    account_type: "PRODUCTION",
    completed_at: row.created_at,
  };
}

/** One entry of `GET /crm/v1/linked-accounts`. */
export function linkedAccountView(deps: Pick<PlatformDeps, "providers">, row: ConnectionRow) {
  return {
    id: row.id,
    category: "crm" as const,
    status: linkedAccountStatus(row.status),
    ...(row.last_error
      ? { status_detail: (JSON.parse(row.last_error) as { message?: string }).message ?? "" }
      : {}),
    end_user_origin_id: row.end_user_id ?? "",
    end_user_organization_name: row.end_user_organization ?? "",
    end_user_email_address: row.end_user_email ?? "",
    webhook_listener_url: "",
    is_duplicate: false,
    integration: {
      name: displayName(deps, row.provider),
      categories: ["crm"],
      color: "#000000",
      slug: row.provider,
      passthrough_available: false,
    },
    account_type: "PRODUCTION",
    completed_at: row.created_at,
  };
}

export interface LinkedAccountQuery {
  pageSize: number;
  cursor?: string;
  id?: string;
  ids?: readonly string[];
  endUserOriginId?: string;
  endUserOriginIds?: readonly string[];
  endUserEmailAddress?: string;
  endUserOrganizationName?: string;
  integrationName?: string;
  status?: LinkedAccountStatus;
  /** Switchyard has no test accounts: `is_test_account=true` lists none. */
  testAccountsOnly?: boolean;
  category?: string;
}

/**
 * A page of the environment's CRM connections (those whose provider maps Common Models), in id order, with
 * `next` and `previous` cursors as the Common Model lists have them.
 */
export async function listLinkedAccounts(
  deps: Pick<PlatformDeps, "db" | "providers">,
  registry: MapperRegistry,
  environmentId: string,
  query: LinkedAccountQuery,
) {
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  let providers = registry.providers();
  if (query.integrationName !== undefined) {
    const wanted = query.integrationName.toLowerCase();
    providers = providers.filter((p) => p === wanted || displayName(deps, p).toLowerCase() === wanted);
  }
  if (query.testAccountsOnly || (query.category !== undefined && query.category !== "crm")) providers = [];
  const ids = [...(query.id !== undefined ? [query.id] : []), ...(query.ids ?? [])];
  const endUserIds = [
    ...(query.endUserOriginId !== undefined ? [query.endUserOriginId] : []),
    ...(query.endUserOriginIds ?? []),
  ];
  const filters: LinkedAccountFilters = {
    providers,
    ...(ids.length > 0 ? { ids } : {}),
    ...(endUserIds.length > 0 ? { endUserIds } : {}),
    ...(query.endUserEmailAddress !== undefined ? { endUserEmail: query.endUserEmailAddress } : {}),
    ...(query.endUserOrganizationName !== undefined
      ? { endUserOrganization: query.endUserOrganizationName }
      : {}),
    ...(query.status !== undefined ? { statuses: STATUSES_OF[query.status] } : {}),
  };
  const rows = await listLinkedConnections(deps.db, environmentId, filters, {
    limit: query.pageSize,
    ...(cursor !== undefined ? { cursor } : {}),
  });
  const { page, next, previous } = cutPage(rows, query.pageSize, cursor, (direction, row) =>
    encodeCursor({ direction, id: row.id }),
  );
  return { next, previous, results: page.map((row) => linkedAccountView(deps, row)) };
}

export type SyncStatusValue = "SYNCING" | "DONE" | "FAILED" | "DISABLED" | "PAUSED";

/** Merge's status of one model from its stream's last run and its sync. */
export function syncStatusOf(state: StreamSyncState | undefined): {
  status: SyncStatusValue;
  lastResult: "DONE" | "FAILED" | null;
} {
  const lastResult =
    state?.lastResult === "succeeded" ? "DONE" : state?.lastResult === "failed" ? "FAILED" : null;
  if (!state) return { status: "DISABLED", lastResult: null };
  if (!state.syncEnabled) return { status: "PAUSED", lastResult };
  const running =
    state.lastStartedAt !== null &&
    (state.lastFinishedAt === null || state.lastFinishedAt < state.lastStartedAt);
  if (running || lastResult === null) return { status: "SYNCING", lastResult };
  return { status: lastResult, lastResult };
}

/** `GET /crm/v1/sync-status`: one entry per Common Model the connection's provider maps. */
export async function syncStatuses(db: Kysely<Database>, registry: MapperRegistry, row: ConnectionRow) {
  const states = await readStreamSyncStates(db, row.id);
  return registry.modelsOf(row.provider).map((model) => {
    const state = states.get(registry.find(row.provider, model)!.stream);
    const { status, lastResult } = syncStatusOf(state);
    return {
      model_name: model,
      model_id: `crm.${model}`,
      last_sync_start: state?.lastStartedAt ?? null,
      next_sync_start: state?.syncEnabled ? state.nextRunAt : null,
      last_sync_result: lastResult,
      last_sync_finished: state?.lastFinishedAt ?? null,
      status,
      is_initial_sync: lastResult !== "DONE",
    };
  });
}
