/**
 * Reading Salesforce's cached records for the Common Models: the record's API path, compound addresses from
 * their parts, and the lookups records make (`OwnerId` a User, `AccountId` an Account, `StageName` an
 * OpportunityStage by its ApiName) as Switchyard ids. Value readers come from
 * src/unified/values.ts.
 */
import { countryCode } from "../../../unified/crm/country-code.ts";
import type { MapContext } from "../../../unified/mappers.ts";
import { text } from "../../../unified/values.ts";
import { sobjectPath } from "../api.ts";

export { int32Of, text, timestampOf } from "../../../unified/values.ts";

/** The record's Id, and its path under the instance URL (`/services/data/v62.0/sobjects/Contact/003…`). */
export function idAndPath(object: string, record: Readonly<Record<string, unknown>>) {
  const id = text(record.Id);
  if (id === null) throw new Error(`A cached Salesforce ${object} has no Id.`);
  return { remoteId: id, remotePath: sobjectPath(object, id) };
}

/** The Switchyard id of the record of `stream` that `value` names, or null when it names none. */
export function refTo(stream: string, value: unknown, ctx: MapContext): string | null {
  const id = text(value);
  return id === null ? null : ctx.idOf(stream, id);
}

/**
 * The compound address `prefix` (`Billing`, `Shipping`, `Mailing`) from its parts (`BillingStreet`,
 * `BillingCity`…) as a Merge address, or none when every part is empty. A street of several lines gives
 * `street_1` and `street_2`.
 */
export function addressOf(
  record: Readonly<Record<string, unknown>>,
  prefix: string,
  type: "BILLING" | "SHIPPING" | null,
): Record<string, unknown>[] {
  const [street1 = null, ...rest] = (text(record[`${prefix}Street`]) ?? "").split(/\r?\n/).filter(Boolean);
  const address = {
    street_1: street1,
    street_2: rest.length > 0 ? rest.join(", ") : null,
    city: text(record[`${prefix}City`]),
    state: text(record[`${prefix}State`]),
    postal_code: text(record[`${prefix}PostalCode`]),
    country: countryCode(record[`${prefix}Country`]),
    address_type: type,
  };
  const parts = [address.street_1, address.city, address.state, address.postal_code];
  return parts.some((part) => part !== null) || text(record[`${prefix}Country`]) !== null ? [address] : [];
}

/** Phone fields that are set, each typed by its label (`Phone` → `Phone`, `MobilePhone` → `Mobile`…). */
export function phonesOf(record: Readonly<Record<string, unknown>>, fields: Record<string, string>) {
  return Object.entries(fields).flatMap(([field, type]) => {
    const phone = text(record[field]);
    return phone === null ? [] : [{ phone_number: phone, phone_number_type: type }];
  });
}
