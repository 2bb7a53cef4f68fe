/**
 * `EmailAddress` (read) and `EmailAddressRequest` (write). Merge leaves `email_address_type` free text
 * (the provider's label, such as `Work` or `Personal`), not an enum.
 */
import { z } from "zod";
import { nullable, passThroughParams, timestamp } from "./fields.ts";

const emailFields = {
  email_address: nullable(z.string()).describe("The email address."),
  email_address_type: nullable(z.string()).describe("The provider's label for it, such as `Work`."),
};

export const EmailAddress = z
  .object({
    created_at: timestamp().optional().describe("When Switchyard first stored the email address."),
    modified_at: timestamp().optional().describe("When Switchyard last changed the email address."),
    ...emailFields,
  })
  .meta({ id: "crm.EmailAddress", description: "An email address of a contact." });

export const EmailAddressRequest = z
  .object({
    ...emailFields,
    integration_params: passThroughParams(),
    linked_account_params: passThroughParams(),
  })
  .meta({ id: "crm.EmailAddressRequest", description: "An email address to write." });
