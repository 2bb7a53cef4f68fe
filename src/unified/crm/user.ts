/** Merge's CRM `User`: a person who uses the CRM (owner of accounts, contacts and opportunities). Read-only. */
import { z } from "zod";
import { leadingFields, nullable, trailingFields } from "./fields.ts";

export const User = z
  .object({
    ...leadingFields,
    name: nullable(z.string()).describe("The user's name."),
    email: nullable(z.string()).describe("The user's email address."),
    is_active: nullable(z.boolean()).describe("False once the user is deactivated in the CRM."),
    ...trailingFields,
  })
  .meta({ id: "crm.User", description: "A user of the CRM." });

export type User = z.infer<typeof User>;
