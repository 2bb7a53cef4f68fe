/** Salesforce Accounts as Merge's `Account`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { addressOf, idAndPath, int32Of, phonesOf, refTo, text, timestampOf } from "./references.ts";

export const salesforceAccountMapper: UnifiedMapper = {
  provider: "salesforce",
  model: "Account",
  stream: "accounts",
  // 2: objects carry their `name` key (Merge's `name` filter).
  version: "2",
  fromRecord(record, ctx) {
    return [
      {
        ...idAndPath("Account", record),
        idStream: "accounts",
        fields: {
          owner: refTo("users", record.OwnerId, ctx),
          name: text(record.Name),
          description: text(record.Description),
          industry: text(record.Industry),
          website: text(record.Website),
          number_of_employees: int32Of(record.NumberOfEmployees),
          addresses: [
            ...addressOf(record, "Billing", "BILLING"),
            ...addressOf(record, "Shipping", "SHIPPING"),
          ],
          phone_numbers: phonesOf(record, { Phone: "Phone", Fax: "Fax" }),
          last_activity_at: timestampOf(record.LastActivityDate),
          remote_updated_at: timestampOf(record.LastModifiedDate),
          remote_created_at: timestampOf(record.CreatedDate),
        },
      },
    ];
  },
};
