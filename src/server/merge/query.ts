/**
 * Query parameters of Merge's CRM list and retrieve endpoints. Unknown parameters are let through, as Merge
 * does (its SDK sends `include_shell_data` and others); every filter Merge documents for these models is
 * honoured, and a malformed value is refused with 400 naming it.
 */
import { z } from "zod";
import type { ExpandableField } from "../../app/unified/reads.ts";
import { queryBoolean, queryInt, queryItems } from "../schemas.ts";

/** Merge's page size limit; larger values are served as 100, as Merge does. */
export const MAX_PAGE_SIZE = 100;

/** A date-time as Merge's SDK sends it (ISO 8601), normalised to the stored form. */
function queryTimestamp() {
  return z
    .string()
    .refine((text) => Number.isFinite(Date.parse(text)), "Expected an ISO 8601 date-time.")
    .transform((text) => new Date(text).toISOString());
}

/** A comma-separated (or repeated) list, lower-cased: how `email_addresses` and `phone_numbers` come. */
function queryLowerList() {
  return queryItems((part) => part.toLowerCase()).pipe(z.array(z.string().max(320)).min(1).max(100));
}

/** `expand`: repeated or comma-separated relation names, of those the model has. */
export function queryExpand(fields: readonly [ExpandableField, ...ExpandableField[]]) {
  return queryItems()
    .pipe(z.array(z.enum(fields)))
    .optional()
    .describe(`Relations to return as objects instead of ids: ${fields.join(", ")}.`);
}

export const retrieveOptions = {
  include_remote_data: queryBoolean().optional().describe("Add the provider's raw payload as `remote_data`."),
  include_remote_fields: queryBoolean()
    .optional()
    .describe("Add the provider's fields, custom ones included, and their values as `remote_fields`."),
};

export const listOptions = {
  cursor: z.string().max(1_000).optional().describe("The `next` or `previous` of a page."),
  page_size: queryInt(1, 1_000_000)
    .transform((size) => Math.min(size, MAX_PAGE_SIZE))
    .default(MAX_PAGE_SIZE)
    .describe("Objects per page (default and most: 100)."),
  created_after: queryTimestamp().optional().describe("Objects Switchyard first stored after this time."),
  created_before: queryTimestamp().optional().describe("Objects Switchyard first stored before this time."),
  modified_after: queryTimestamp().optional().describe("Objects whose copy changed after this time."),
  modified_before: queryTimestamp().optional().describe("Objects whose copy changed before this time."),
  include_deleted_data: queryBoolean().optional().describe("Also objects the provider deleted."),
  remote_id: z.string().max(500).optional().describe("The provider's id of the object."),
  ...retrieveOptions,
};

export const contactFilters = {
  account_id: z.string().max(200).optional().describe("Contacts of this account."),
  owner_id: z.string().max(200).optional().describe("Contacts of this owner."),
  email_addresses: queryLowerList().optional().describe("Contacts with any of these email addresses."),
  phone_numbers: queryLowerList().optional().describe("Contacts with any of these phone numbers."),
};

export const accountFilters = {
  owner_id: z.string().max(200).optional().describe("Accounts of this owner."),
  name: z
    .string()
    .min(1)
    .max(500)
    .transform((name) => name.toLowerCase())
    .optional()
    .describe("Accounts with this name (exact, case-insensitive)."),
};

export const opportunityFilters = {
  account_id: z.string().max(200).optional().describe("Opportunities of this account."),
  owner_id: z.string().max(200).optional().describe("Opportunities of this owner."),
  stage_id: z.string().max(200).optional().describe("Opportunities in this stage."),
  status: z.enum(["OPEN", "WON", "LOST"]).optional().describe("`OPEN`, `WON` or `LOST`."),
  remote_created_after: queryTimestamp()
    .optional()
    .describe("Opportunities created in the provider after this time (their `remote_created_at`)."),
};

export const userFilters = {
  email: queryLowerList().optional().describe("Users with this email address."),
};
