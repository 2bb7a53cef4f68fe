/** Salesforce Contacts as Merge's `Contact`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { addressOf, idAndPath, phonesOf, refTo, text, timestampOf } from "./references.ts";

const PHONES = { Phone: "Phone", MobilePhone: "Mobile", HomePhone: "Home", OtherPhone: "Other", Fax: "Fax" };

export const salesforceContactMapper: UnifiedMapper = {
  provider: "salesforce",
  model: "Contact",
  stream: "contacts",
  version: "1",
  fromRecord(record, ctx) {
    const email = text(record.Email);
    return [
      {
        ...idAndPath("Contact", record),
        idStream: "contacts",
        fields: {
          first_name: text(record.FirstName),
          last_name: text(record.LastName),
          account: refTo("accounts", record.AccountId, ctx),
          owner: refTo("users", record.OwnerId, ctx),
          // The mailing address is neither a billing nor a shipping one; the other address has no type either.
          addresses: [...addressOf(record, "Mailing", null), ...addressOf(record, "Other", null)],
          email_addresses: email === null ? [] : [{ email_address: email, email_address_type: "Email" }],
          phone_numbers: phonesOf(record, PHONES),
          last_activity_at: timestampOf(record.LastActivityDate),
          remote_created_at: timestampOf(record.CreatedDate),
        },
      },
    ];
  },
};
