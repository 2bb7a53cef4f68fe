/**
 * Merge's CRM list and retrieve endpoints (`GET /api/crm/v1/{contacts,accounts,opportunities,users,stages}`
 * and `/{id}`), served from the records cache for the linked account the `X-Account-Token` names.
 */
import { z } from "zod";
import { attachRemoteFields } from "../../app/unified/field-mappings-objects.ts";
import {
  type ExpandableField,
  getUnified,
  type ListOptions,
  listUnified,
  listUnifiedServed,
} from "../../app/unified/reads.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import type { UnifiedObjectFilters } from "../../store/repositories/unified-objects.ts";
import { DetailErrorResponse } from "../../unified/crm/index.ts";
import type { CrmModelName } from "../../unified/mappers.ts";
import { getUnifiedModel } from "../../unified/registry.ts";
import { PreparedJson } from "../prepared-json.ts";
import { defineRoute } from "../route.ts";
import {
  accountFilters,
  contactFilters,
  listOptions,
  opportunityFilters,
  queryExpand,
  retrieveOptions,
  userFilters,
} from "./query.ts";

/** Everything a list query may carry once parsed; each model's schema allows a part of it. */
interface ParsedListQuery {
  cursor?: string;
  page_size: number;
  created_after?: string;
  created_before?: string;
  modified_after?: string;
  modified_before?: string;
  include_deleted_data?: boolean;
  include_remote_data?: boolean;
  include_remote_fields?: boolean;
  remote_id?: string;
  expand?: ExpandableField[];
  account_id?: string;
  owner_id?: string;
  stage_id?: string;
  status?: string;
  email_addresses?: string[];
  phone_numbers?: string[];
  email?: string[];
  name?: string;
  remote_created_after?: string;
}

function listOptionsOf(query: ParsedListQuery): ListOptions {
  const filters: UnifiedObjectFilters = {
    includeDeleted: query.include_deleted_data === true,
    ...(query.remote_id !== undefined ? { remoteId: query.remote_id } : {}),
    ...(query.created_after !== undefined ? { createdAfter: query.created_after } : {}),
    ...(query.created_before !== undefined ? { createdBefore: query.created_before } : {}),
    ...(query.modified_after !== undefined ? { modifiedAfter: query.modified_after } : {}),
    ...(query.modified_before !== undefined ? { modifiedBefore: query.modified_before } : {}),
    ...(query.account_id !== undefined ? { accountId: query.account_id } : {}),
    ...(query.owner_id !== undefined ? { ownerId: query.owner_id } : {}),
    ...(query.stage_id !== undefined ? { stageId: query.stage_id } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.email_addresses !== undefined ? { emails: query.email_addresses } : {}),
    ...(query.email !== undefined ? { emails: query.email } : {}),
    ...(query.phone_numbers !== undefined ? { phones: query.phone_numbers } : {}),
    ...(query.name !== undefined ? { name: query.name } : {}),
    ...(query.remote_created_after !== undefined ? { remoteCreatedAfter: query.remote_created_after } : {}),
  };
  return {
    pageSize: query.page_size,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    filters,
    expand: query.expand ?? [],
    includeRemoteData: query.include_remote_data === true,
  };
}

interface ModelEndpoints {
  model: CrmModelName;
  /** Merge's operation names: `contactsList`, `contactsRetrieve`. */
  operation: string;
  filters: z.core.$ZodShape;
  expand: readonly ExpandableField[];
}

/** The list and retrieve routes of one model. */
function modelRoutes({ model, operation, filters, expand }: ModelEndpoints) {
  const unified = getUnifiedModel("crm", model);
  // Typed as a plain shape: models differ in their filters and in whether they expand anything.
  const expandParam: z.core.$ZodShape =
    expand.length > 0 ? { expand: queryExpand(expand as [ExpandableField, ...ExpandableField[]]) } : {};
  const url = `/api/crm/v1/${unified.path}`;
  const list = defineRoute({
    method: "GET",
    url,
    name: `${operation}List`,
    summary: `List ${unified.path}`,
    description:
      `Merge's \`GET /crm/v1/${unified.path}\`: a page of the linked account's ${model} objects, in id order, ` +
      "from the records cache.",
    tags: ["Unified CRM"],
    auth: "account_token",
    query: z.looseObject({ ...listOptions, ...filters, ...expandParam }),
    response: { 200: unified.list },
    errors: [],
    errorBody: DetailErrorResponse,
  }).handle(async ({ query, account, deps }) => {
    const options = listOptionsOf(query as unknown as ParsedListQuery);
    if ((query as unknown as ParsedListQuery).include_remote_fields === true) {
      const page = await listUnified(deps.db, unifiedMappers, account, model, options);
      await attachRemoteFields({ ...deps, registry: unifiedMappers }, account, model, page.results);
      return { status: 200, body: page };
    }
    // Served from the stored text when it can be (objects checked as they were stored; see the function).
    const page = await listUnifiedServed(deps.db, unifiedMappers, account, model, options);
    return { status: 200, body: "json" in page ? new PreparedJson(page.json) : page };
  });
  const retrieve = defineRoute({
    method: "GET",
    url: `${url}/:id`,
    name: `${operation}Retrieve`,
    summary: `Retrieve one of ${unified.path}`,
    description: `Merge's \`GET /crm/v1/${unified.path}/{id}\`: one ${model} by Switchyard's id.`,
    tags: ["Unified CRM"],
    auth: "account_token",
    params: z.strictObject({ id: z.string().min(1).max(200).describe("Switchyard's id of the object.") }),
    query: z.looseObject({ ...retrieveOptions, ...expandParam }),
    response: { 200: unified.schema },
    errors: ["not_found"],
    errorBody: DetailErrorResponse,
  }).handle(async ({ params, query, account, deps }) => {
    const parsed = query as unknown as {
      expand?: ExpandableField[];
      include_remote_data?: boolean;
      include_remote_fields?: boolean;
    };
    const object = await getUnified(deps.db, unifiedMappers, account, model, params.id, {
      expand: parsed.expand ?? [],
      includeRemoteData: parsed.include_remote_data === true,
    });
    if (parsed.include_remote_fields === true) {
      await attachRemoteFields({ ...deps, registry: unifiedMappers }, account, model, [object]);
    }
    return { status: 200, body: object };
  });
  return [list, retrieve] as const;
}

export const crmReadRoutes = [
  ...modelRoutes({
    model: "Contact",
    operation: "contacts",
    filters: contactFilters,
    expand: ["account", "owner"],
  }),
  ...modelRoutes({ model: "Account", operation: "accounts", filters: accountFilters, expand: ["owner"] }),
  ...modelRoutes({
    model: "Opportunity",
    operation: "opportunities",
    filters: opportunityFilters,
    expand: ["account", "owner", "stage"],
  }),
  ...modelRoutes({ model: "User", operation: "users", filters: userFilters, expand: [] }),
  ...modelRoutes({ model: "Stage", operation: "stages", filters: {}, expand: [] }),
] as const;
