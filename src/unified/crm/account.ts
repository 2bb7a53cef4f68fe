/**
 * Merge's CRM `Account` (a company), and what its POST (`AccountRequest`) and PATCH
 * (`PatchedAccountRequest`) accept. `owner` is a user id, or the `User` itself with `expand=owner`.
 */
import { z } from "zod";
import { Address, AddressRequest } from "./address.ts";
import {
  idOr,
  int32,
  leadingFields,
  nullable,
  timestamp,
  trailingFields,
  writeOnlyFields,
} from "./fields.ts";
import { PhoneNumber } from "./phone-number.ts";
import { User } from "./user.ts";

const writableFields = {
  name: nullable(z.string()).describe("The company's name."),
  description: nullable(z.string()).describe("A description of the company."),
  industry: nullable(z.string()).describe("The company's industry."),
  website: nullable(z.string().max(2000)).describe("The company's website."),
  number_of_employees: nullable(int32()).describe("How many people the company employs."),
};

const lastActivityAt = nullable(timestamp()).describe("When the latest (or next planned) activity happens.");

export const Account = z
  .object({
    ...leadingFields,
    owner: nullable(idOr(User)).describe("The owning user: an id, or the user with `expand`."),
    ...writableFields,
    addresses: z.array(Address).optional().describe("The company's addresses."),
    phone_numbers: z.array(PhoneNumber).optional().describe("The company's phone numbers."),
    last_activity_at: lastActivityAt,
    remote_updated_at: nullable(timestamp()).describe("When a user last changed the company in the CRM."),
    remote_created_at: nullable(timestamp()).describe("When the company was created in the CRM."),
    ...trailingFields,
  })
  .meta({ id: "crm.Account", description: "A company in a CRM." });

export const AccountRequest = z
  .object({
    owner: nullable(idOr(User)).describe("The owning user's id."),
    ...writableFields,
    addresses: z.array(AddressRequest).optional().describe("The company's addresses."),
    last_activity_at: lastActivityAt,
    ...writeOnlyFields,
  })
  .meta({ id: "crm.AccountRequest", description: "A company to create." });

export const PatchedAccountRequest = z
  .object({
    owner: nullable(z.string()).describe("The owning user's id."),
    ...writableFields,
    addresses: z.array(AddressRequest).optional().describe("The company's addresses."),
    last_activity_at: lastActivityAt,
    ...writeOnlyFields,
  })
  .meta({
    id: "crm.PatchedAccountRequest",
    description: "Changes to a company; absent fields stay as they are.",
  });

export type Account = z.infer<typeof Account>;
export type AccountRequest = z.infer<typeof AccountRequest>;
export type PatchedAccountRequest = z.infer<typeof PatchedAccountRequest>;
