/** `Address` (read) and `AddressRequest` (write): a postal address of an account or a contact. */
import { z } from "zod";
import { CountryEnum } from "./country.ts";
import { nullable, passThroughParams, timestamp } from "./fields.ts";

export const AddressTypeEnum = z
  .enum(["BILLING", "SHIPPING"])
  .meta({ id: "crm.AddressTypeEnum", description: "What an address is used for." });

const addressFields = {
  street_1: nullable(z.string()).describe("First line of the street address."),
  street_2: nullable(z.string()).describe("Second line of the street address."),
  city: nullable(z.string()).describe("City."),
  state: nullable(z.string()).describe("State, province or region."),
  postal_code: nullable(z.string()).describe("Postal or ZIP code."),
  country: nullable(CountryEnum).describe("Country, as an ISO 3166-1 alpha-2 code."),
  address_type: nullable(AddressTypeEnum).describe("`BILLING` or `SHIPPING`."),
};

export const Address = z
  .object({
    created_at: timestamp().optional().describe("When Switchyard first stored the address."),
    modified_at: timestamp().optional().describe("When Switchyard last changed the address."),
    ...addressFields,
  })
  .meta({ id: "crm.Address", description: "A postal address." });

export const AddressRequest = z
  .object({
    ...addressFields,
    integration_params: passThroughParams(),
    linked_account_params: passThroughParams(),
  })
  .meta({ id: "crm.AddressRequest", description: "A postal address to write." });
