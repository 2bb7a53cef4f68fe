/** HubSpot companies as Merge's `Account`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { int32Of, text, timestampOf } from "../../../unified/values.ts";
import { addressesOf } from "./address.ts";
import { ownerRef } from "./references.ts";
import { recordId } from "./values.ts";

export const hubspotAccountMapper: UnifiedMapper = {
  provider: "hubspot",
  model: "Account",
  stream: "companies",
  // 2: objects carry their `name` key (Merge's `name` filter).
  version: "2",
  fromRecord(record, ctx) {
    const id = recordId(record);
    const phone = text(record.phone);
    return [
      {
        remoteId: id,
        idStream: "companies",
        remotePath: `/crm/v3/objects/companies/${id}`,
        fields: {
          owner: ownerRef(record, ctx),
          name: text(record.name),
          description: text(record.description),
          industry: text(record.industry),
          // `website` when set, else the company's domain (HubSpot's key for companies).
          website: text(record.website) ?? text(record.domain),
          number_of_employees: int32Of(record.numberofemployees),
          addresses: addressesOf(record),
          phone_numbers: phone ? [{ phone_number: phone, phone_number_type: "Phone" }] : [],
          last_activity_at: timestampOf(record.notes_last_updated),
          remote_updated_at: timestampOf(record.updatedAt),
          remote_created_at: timestampOf(record.createdAt),
        },
      },
    ];
  },
};
