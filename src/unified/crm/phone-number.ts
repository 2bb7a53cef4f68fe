/**
 * `PhoneNumber` (read) and `PhoneNumberRequest` (write). Merge leaves `phone_number_type` free text
 * (the provider's label, such as `Mobile` or `Work`), not an enum.
 */
import { z } from "zod";
import { nullable, passThroughParams, timestamp } from "./fields.ts";

const phoneFields = {
  phone_number: nullable(z.string()).describe("The phone number, as the provider holds it."),
  phone_number_type: nullable(z.string()).describe("The provider's label for it, such as `Mobile`."),
};

export const PhoneNumber = z
  .object({
    created_at: timestamp().optional().describe("When Switchyard first stored the phone number."),
    modified_at: timestamp().optional().describe("When Switchyard last changed the phone number."),
    ...phoneFields,
  })
  .meta({ id: "crm.PhoneNumber", description: "A phone number of an account or a contact." });

export const PhoneNumberRequest = z
  .object({
    ...phoneFields,
    integration_params: passThroughParams(),
    linked_account_params: passThroughParams(),
  })
  .meta({ id: "crm.PhoneNumberRequest", description: "A phone number to write." });
