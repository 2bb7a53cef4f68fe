/** A HubSpot contact's or company's postal address properties as Merge's `Address` list. */
import { countryCode } from "../../../unified/crm/country-code.ts";
import { text } from "../../../unified/values.ts";

/**
 * One address from `address`, `address2`, `city`, `state`, `zip` and `country`, or none when all are empty.
 * HubSpot does not say whether it is a billing or shipping address, so `address_type` is null; a country
 * that is neither an ISO code nor an English country name is null (the raw value is in `remote_data`).
 */
export function addressesOf(record: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  const address = {
    street_1: text(record.address),
    street_2: text(record.address2),
    city: text(record.city),
    state: text(record.state),
    postal_code: text(record.zip),
    country: countryCode(record.country),
    address_type: null,
  };
  const present = [address.street_1, address.street_2, address.city, address.state, address.postal_code];
  return present.some((value) => value !== null) || text(record.country) !== null ? [address] : [];
}
