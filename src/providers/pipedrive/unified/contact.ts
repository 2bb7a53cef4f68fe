/** Pipedrive persons (API v2) as Merge's `Contact`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { labelledValues, recordId, refTo, text, timestampOf } from "./references.ts";

export const pipedriveContactMapper: UnifiedMapper = {
  provider: "pipedrive",
  model: "Contact",
  stream: "persons",
  version: "1",
  fromRecord(record, ctx) {
    const id = recordId(record);
    return [
      {
        remoteId: id,
        idStream: "persons",
        remotePath: `/api/v2/persons/${id}`,
        fields: {
          first_name: text(record.first_name),
          last_name: text(record.last_name),
          account: refTo("organizations", record.org_id, ctx),
          owner: refTo("users", record.owner_id, ctx),
          // Persons have no built-in address in Pipedrive.
          addresses: [],
          email_addresses: labelledValues(record.emails).map(({ value, label }) => ({
            email_address: value,
            email_address_type: label,
          })),
          phone_numbers: labelledValues(record.phones).map(({ value, label }) => ({
            phone_number: value,
            phone_number_type: label,
          })),
          last_activity_at: timestampOf(record.last_activity_date),
          remote_created_at: timestampOf(record.add_time),
        },
      },
    ];
  },
};
