/** Pipedrive organizations (API v2) as Merge's `Account`. */
import { countryCode } from "../../../unified/crm/country-code.ts";
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { recordId, refTo, text, timestampOf } from "./references.ts";

/**
 * v2's `address` object (`street_number`, `route`, `subpremise`, `locality`, `admin_area_level_1`,
 * `postal_code`, `country`, and the whole as `value`) as one Merge address; Pipedrive does not say whether it
 * bills or ships there, so `address_type` is null.
 */
export function organizationAddresses(address: unknown): Record<string, unknown>[] {
  if (address === null || typeof address !== "object") return [];
  const parts = address as Record<string, unknown>;
  const street = [text(parts.street_number), text(parts.route)].filter((part) => part !== null).join(" ");
  const out = {
    street_1: street === "" ? text(parts.value) : street,
    street_2: text(parts.subpremise),
    city: text(parts.locality),
    state: text(parts.admin_area_level_1),
    postal_code: text(parts.postal_code),
    country: countryCode(parts.country),
    address_type: null,
  };
  return Object.values(out).some((value) => value !== null) ? [out] : [];
}

export const pipedriveAccountMapper: UnifiedMapper = {
  provider: "pipedrive",
  model: "Account",
  stream: "organizations",
  // 2: objects carry their `name` key (Merge's `name` filter).
  version: "2",
  fromRecord(record, ctx) {
    const id = recordId(record);
    return [
      {
        remoteId: id,
        idStream: "organizations",
        remotePath: `/api/v2/organizations/${id}`,
        fields: {
          owner: refTo("users", record.owner_id, ctx),
          name: text(record.name),
          // Pipedrive has no built-in description, industry or headcount: custom fields, for field mappings.
          description: null,
          industry: null,
          website: text(record.website),
          number_of_employees: null,
          addresses: organizationAddresses(record.address),
          phone_numbers: [],
          last_activity_at: timestampOf(record.last_activity_date),
          remote_updated_at: timestampOf(record.update_time),
          remote_created_at: timestampOf(record.add_time),
        },
      },
    ];
  },
};
