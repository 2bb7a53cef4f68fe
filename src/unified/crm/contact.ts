/**
 * Merge's CRM `Contact` (a person at a company), and what its POST (`ContactRequest`) and PATCH
 * (`PatchedContactRequest`) accept. `account` and `owner` are ids, or the objects with `expand`.
 */
import { z } from "zod";
import { Account } from "./account.ts";
import { Address, AddressRequest } from "./address.ts";
import { EmailAddress, EmailAddressRequest } from "./email-address.ts";
import { idOr, leadingFields, nullable, timestamp, trailingFields, writeOnlyFields } from "./fields.ts";
import { PhoneNumber, PhoneNumberRequest } from "./phone-number.ts";
import { User } from "./user.ts";

const names = {
  first_name: nullable(z.string()).describe("The contact's first name."),
  last_name: nullable(z.string()).describe("The contact's last name."),
};

const lastActivityAt = nullable(timestamp()).describe("When the contact's latest activity happened.");

const writableLists = {
  addresses: z.array(AddressRequest).optional().describe("The contact's addresses."),
  email_addresses: z.array(EmailAddressRequest).optional().describe("The contact's email addresses."),
  phone_numbers: z.array(PhoneNumberRequest).optional().describe("The contact's phone numbers."),
};

export const Contact = z
  .object({
    ...leadingFields,
    ...names,
    account: nullable(idOr(Account)).describe("The contact's company: an id, or the account with `expand`."),
    owner: nullable(idOr(User)).describe("The owning user: an id, or the user with `expand`."),
    addresses: z.array(Address).optional().describe("The contact's addresses."),
    email_addresses: z.array(EmailAddress).optional().describe("The contact's email addresses."),
    phone_numbers: z.array(PhoneNumber).optional().describe("The contact's phone numbers."),
    last_activity_at: lastActivityAt,
    remote_created_at: nullable(timestamp()).describe("When the contact was created in the CRM."),
    ...trailingFields,
  })
  .meta({ id: "crm.Contact", description: "A person at a company, in a CRM." });

export const ContactRequest = z
  .object({
    ...names,
    account: nullable(idOr(Account)).describe("The contact's account id."),
    owner: nullable(idOr(User)).describe("The owning user's id."),
    ...writableLists,
    last_activity_at: lastActivityAt,
    ...writeOnlyFields,
  })
  .meta({ id: "crm.ContactRequest", description: "A contact to create." });

export const PatchedContactRequest = z
  .object({
    ...names,
    account: nullable(z.string()).describe("The contact's account id."),
    owner: nullable(idOr(User)).describe("The owning user's id."),
    ...writableLists,
    last_activity_at: lastActivityAt,
    ...writeOnlyFields,
  })
  .meta({
    id: "crm.PatchedContactRequest",
    description: "Changes to a contact; absent fields stay as they are.",
  });

export type Contact = z.infer<typeof Contact>;
export type ContactRequest = z.infer<typeof ContactRequest>;
export type PatchedContactRequest = z.infer<typeof PatchedContactRequest>;
