/** HubSpot contacts as Merge's `Contact`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { text, timestampOf } from "../../../unified/values.ts";
import { addressesOf } from "./address.ts";
import { accountRef, ownerRef } from "./references.ts";
import { recordId } from "./values.ts";

/** `email` is the primary address; `hs_additional_emails` holds the others, `;`-separated. */
function emailAddressesOf(record: Readonly<Record<string, unknown>>) {
  const primary = text(record.email);
  const others = (text(record.hs_additional_emails) ?? "")
    .split(";")
    .map((email) => email.trim())
    .filter((email) => email !== "" && email !== primary);
  return [
    ...(primary ? [{ email_address: primary, email_address_type: "Primary" }] : []),
    ...others.map((email) => ({ email_address: email, email_address_type: "Additional" })),
  ];
}

function phoneNumbersOf(record: Readonly<Record<string, unknown>>) {
  const phone = text(record.phone);
  const mobile = text(record.mobilephone);
  return [
    ...(phone ? [{ phone_number: phone, phone_number_type: "Phone" }] : []),
    ...(mobile ? [{ phone_number: mobile, phone_number_type: "Mobile" }] : []),
  ];
}

export const hubspotContactMapper: UnifiedMapper = {
  provider: "hubspot",
  model: "Contact",
  stream: "contacts",
  version: "1",
  fromRecord(record, ctx) {
    const id = recordId(record);
    return [
      {
        remoteId: id,
        idStream: "contacts",
        remotePath: `/crm/v3/objects/contacts/${id}`,
        fields: {
          first_name: text(record.firstname),
          last_name: text(record.lastname),
          account: accountRef(record, ctx),
          owner: ownerRef(record, ctx),
          addresses: addressesOf(record),
          email_addresses: emailAddressesOf(record),
          phone_numbers: phoneNumbersOf(record),
          // HubSpot's "Last Activity Date".
          last_activity_at: timestampOf(record.notes_last_updated),
          remote_created_at: timestampOf(record.createdAt),
        },
      },
    ];
  },
};
