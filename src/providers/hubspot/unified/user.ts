/**
 * HubSpot owners as Merge's `User`. An owner is a user of the account; a deactivated one is listed by HubSpot
 * only as archived (the owners stream reads it as deleted), so `is_active` is false for it.
 */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { text } from "../../../unified/values.ts";
import { OWNERS_STREAM } from "./references.ts";
import { recordId } from "./values.ts";

export const hubspotUserMapper: UnifiedMapper = {
  provider: "hubspot",
  model: "User",
  stream: OWNERS_STREAM,
  version: "1",
  fromRecord(record) {
    const id = recordId(record);
    const name = [text(record.firstName), text(record.lastName)].filter((part) => part !== null).join(" ");
    return [
      {
        remoteId: id,
        idStream: OWNERS_STREAM,
        remotePath: `/crm/v3/owners/${id}`,
        fields: {
          name: name === "" ? null : name,
          email: text(record.email),
          is_active: typeof record.archived === "boolean" ? !record.archived : null,
        },
      },
    ];
  },
};
