/**
 * The owners stream: the account's users (`GET /crm/v3/owners`, paged by `after`), declared on the kit.
 * HubSpot lists deactivated users only with `archived=true`: read after the active ones, they come out
 * deleted. The owners API has no modification filter, so every read is a full one (8 to a few hundred).
 */
import type { StreamSpec } from "../kit/index.ts";
import { AFTER_PAGING } from "./objects.ts";

const OWNERS = { path: "/crm/v3/owners", query: { limit: 500 } };

export const ownersStream: StreamSpec = {
  name: "owners",
  primaryKey: "id",
  request: OWNERS,
  records: "results",
  paginator: AFTER_PAGING,
  deleted: { type: "endpoint", request: { ...OWNERS, query: { ...OWNERS.query, archived: true } } },
  schema: {
    columns: {
      ...{ id: "string", email: "string", firstName: "string", lastName: "string", type: "string" },
      ...{ userId: "integer", userIdIncludingInactive: "integer", teams: "json", archived: "boolean" },
      ...{ createdAt: "timestamp", updatedAt: "timestamp" },
    },
  },
};
