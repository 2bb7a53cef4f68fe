/** Merge's linked-account endpoints: `account-details`, `linked-accounts` and `sync-status`, for our connections. */
import { z } from "zod";
import { accountDetails, listLinkedAccounts, syncStatuses } from "../../app/unified/linked-accounts.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { DetailErrorResponse } from "../../unified/crm/index.ts";
import { defineRoute } from "../route.ts";
import { queryBoolean, queryInt, queryList } from "../schemas.ts";
import { MAX_PAGE_SIZE } from "./query.ts";

const nullableText = z.string().nullable().optional();
const timestamp = z.string();

const AccountDetails = z
  .object({
    id: z.string(),
    integration: z.string(),
    integration_slug: z.string(),
    category: z.literal("crm"),
    end_user_origin_id: nullableText,
    end_user_organization_name: nullableText,
    end_user_email_address: nullableText,
    status: z.string(),
    webhook_listener_url: nullableText,
    is_duplicate: z.boolean().nullable(),
    account_type: z.string(),
    completed_at: timestamp,
  })
  .meta({ id: "crm.AccountDetails", description: "The linked account an account token names." });

const LinkedAccount = z
  .object({
    id: z.string(),
    category: z.literal("crm"),
    status: z.enum(["COMPLETE", "INCOMPLETE", "RELINK_NEEDED", "IDLE"]),
    status_detail: z.string().optional(),
    end_user_origin_id: z.string(),
    end_user_organization_name: z.string(),
    end_user_email_address: z.string(),
    webhook_listener_url: z.string(),
    is_duplicate: z.boolean(),
    integration: z.object({
      name: z.string(),
      categories: z.array(z.string()),
      color: z.string(),
      slug: z.string(),
      passthrough_available: z.boolean(),
    }),
    account_type: z.string(),
    completed_at: timestamp,
  })
  .meta({ id: "crm.AccountDetailsAndActions", description: "A linked account (a connection)." });

const SyncStatus = z
  .object({
    model_name: z.string(),
    model_id: z.string(),
    last_sync_start: timestamp.nullable(),
    next_sync_start: timestamp.nullable(),
    last_sync_result: z.enum(["DONE", "FAILED"]).nullable(),
    last_sync_finished: timestamp.nullable(),
    status: z.enum(["SYNCING", "DONE", "FAILED", "DISABLED", "PAUSED"]),
    is_initial_sync: z.boolean(),
  })
  .meta({ id: "crm.SyncStatus", description: "How the syncs behind one Common Model are doing." });

const page = <T extends z.ZodType>(item: T) =>
  z.object({ next: z.string().nullable(), previous: z.string().nullable(), results: z.array(item) });

export const accountDetailsRoute = defineRoute({
  method: "GET",
  url: "/api/crm/v1/account-details",
  name: "accountDetailsRetrieve",
  summary: "The linked account of the account token",
  tags: ["Unified CRM"],
  auth: "account_token",
  response: { 200: AccountDetails },
  errors: [],
  errorBody: DetailErrorResponse,
}).handle(async ({ account, deps }) => ({ status: 200, body: accountDetails(deps, account) }));

export const linkedAccountsRoute = defineRoute({
  method: "GET",
  url: "/api/crm/v1/linked-accounts",
  name: "linkedAccountsList",
  summary: "List the environment's CRM linked accounts",
  description:
    "Connections of the API key's environment whose provider serves the unified CRM API; no account token needed.",
  tags: ["Unified CRM"],
  auth: "api_key",
  query: z.looseObject({
    cursor: z.string().max(1_000).optional(),
    page_size: queryInt(1, 1_000_000)
      .transform((size) => Math.min(size, MAX_PAGE_SIZE))
      .default(MAX_PAGE_SIZE),
    category: z.string().optional(),
    end_user_email_address: z.string().optional(),
    end_user_organization_name: z.string().optional(),
    end_user_origin_id: z.string().optional(),
    end_user_origin_ids: queryList(z.string().max(200)).optional(),
    id: z.string().optional(),
    ids: queryList(z.string().max(200)).optional(),
    include_duplicates: queryBoolean().optional(),
    integration_name: z.string().optional(),
    is_test_account: queryBoolean().optional(),
    status: z.enum(["COMPLETE", "INCOMPLETE", "RELINK_NEEDED", "IDLE"]).optional(),
  }),
  response: { 200: page(LinkedAccount) },
  errors: [],
  errorBody: DetailErrorResponse,
}).handle(async ({ query, caller, deps }) => {
  const body = await listLinkedAccounts(deps, unifiedMappers, caller.environmentId, {
    pageSize: query.page_size,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    ...(query.id !== undefined ? { id: query.id } : {}),
    ...(query.ids !== undefined ? { ids: query.ids } : {}),
    ...(query.end_user_origin_id !== undefined ? { endUserOriginId: query.end_user_origin_id } : {}),
    ...(query.end_user_origin_ids !== undefined ? { endUserOriginIds: query.end_user_origin_ids } : {}),
    ...(query.end_user_email_address !== undefined
      ? { endUserEmailAddress: query.end_user_email_address }
      : {}),
    ...(query.end_user_organization_name !== undefined
      ? { endUserOrganizationName: query.end_user_organization_name }
      : {}),
    ...(query.integration_name !== undefined ? { integrationName: query.integration_name } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.is_test_account !== undefined ? { testAccountsOnly: query.is_test_account } : {}),
    ...(query.category !== undefined ? { category: query.category } : {}),
  });
  return { status: 200, body };
});

export const syncStatusRoute = defineRoute({
  method: "GET",
  url: "/api/crm/v1/sync-status",
  name: "syncStatusList",
  summary: "Sync status per Common Model of the linked account",
  tags: ["Unified CRM"],
  auth: "account_token",
  query: z.looseObject({ cursor: z.string().optional(), page_size: queryInt(1, 1_000_000).optional() }),
  response: { 200: page(SyncStatus) },
  errors: [],
  errorBody: DetailErrorResponse,
}).handle(async ({ account, deps }) => ({
  status: 200,
  body: { next: null, previous: null, results: await syncStatuses(deps.db, unifiedMappers, account) },
}));

export const linkedAccountRoutes = [accountDetailsRoute, linkedAccountsRoute, syncStatusRoute] as const;
