/**
 * One realistic payload per CRM model, written from the fields Merge documents. Tests parse them, and the
 * model reference shows them, so the examples in the docs are checked against the schemas.
 */
import type { Account, AccountRequest } from "./account.ts";
import type { Contact, ContactRequest, PatchedContactRequest } from "./contact.ts";
import type { Opportunity, OpportunityRequest } from "./opportunity.ts";
import type { Stage } from "./stage.ts";
import type { User } from "./user.ts";

const stamps = { created_at: "2025-01-06T09:15:00Z", modified_at: "2025-03-02T17:40:12.481Z" };

export const exampleUser: User = {
  id: "5c4e8a8e-1b8a-4f5e-9b61-2a3c0f7d9e11",
  remote_id: "0055e000003AbCdAAK",
  ...stamps,
  name: "Dana Whitfield",
  email: "dana@northwind.example",
  is_active: true,
  remote_was_deleted: false,
  field_mappings: { organization_defined_targets: {}, linked_account_defined_targets: {} },
  remote_data: null,
};

export const exampleStage: Stage = {
  id: "8f0b2d64-73c1-4f0e-a0a7-5d0e6c1b2a33",
  remote_id: "qualifiedtobuy",
  ...stamps,
  name: "Qualified To Buy",
  remote_was_deleted: false,
  field_mappings: null,
  remote_data: null,
};

export const exampleAccount: Account = {
  id: "0f9a3c52-2d4e-4b8a-9d1e-6b7c8d9e0f12",
  remote_id: "0015e00000XyZ12AAB",
  ...stamps,
  owner: exampleUser.id,
  name: "Northwind Traders",
  description: "Wholesale food distributor",
  industry: "Food & Beverage",
  website: "https://northwind.example",
  number_of_employees: 420,
  addresses: [
    {
      ...stamps,
      street_1: "12 Harbour Road",
      street_2: "Unit 4",
      city: "Bristol",
      state: "England",
      postal_code: "BS1 5TY",
      country: "GB",
      address_type: "BILLING",
    },
  ],
  phone_numbers: [{ ...stamps, phone_number: "+441179460000", phone_number_type: "Work" }],
  last_activity_at: "2025-02-27T14:00:00Z",
  remote_updated_at: "2025-02-28T08:30:00+01:00",
  remote_created_at: "2023-11-10T10:00:00Z",
  remote_was_deleted: false,
  field_mappings: {
    organization_defined_targets: { tier: "gold" },
    linked_account_defined_targets: { region: "EMEA" },
  },
  remote_data: [
    { path: "/services/data/v62.0/sobjects/Account/0015e00000XyZ12AAB", data: { Name: "Northwind" } },
  ],
  remote_fields: [{ remote_field_class: "3d1e6a9b-5c0f-4a1e-8f7d-2b9c0e1a4d55", value: "Key account" }],
};

export const exampleContact: Contact = {
  id: "b7d1e2f3-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
  remote_id: "151",
  ...stamps,
  first_name: "Ada",
  last_name: "Okafor",
  account: exampleAccount.id,
  owner: exampleUser,
  addresses: [],
  email_addresses: [{ ...stamps, email_address: "ada.okafor@northwind.example", email_address_type: "Work" }],
  phone_numbers: [{ ...stamps, phone_number: "+447700900123", phone_number_type: "Mobile" }],
  last_activity_at: null,
  remote_created_at: "2024-06-01T12:00:00Z",
  remote_was_deleted: false,
  field_mappings: { organization_defined_targets: {}, linked_account_defined_targets: {} },
  remote_data: null,
  remote_fields: [],
};

export const exampleOpportunity: Opportunity = {
  id: "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
  remote_id: "9876543210",
  ...stamps,
  name: "Northwind renewal 2025",
  description: "Three-year renewal with the new warehouse sites",
  amount: 125000,
  owner: exampleUser.id,
  account: exampleAccount.id,
  stage: exampleStage,
  status: "OPEN",
  last_activity_at: "2025-03-01T16:20:00Z",
  close_date: "2025-06-30T00:00:00Z",
  remote_created_at: "2025-01-05T09:00:00Z",
  remote_was_deleted: false,
  field_mappings: null,
  remote_data: null,
};

export const exampleAccountRequest: AccountRequest = {
  name: "Contoso Ltd",
  owner: exampleUser.id,
  industry: "Manufacturing",
  website: "https://contoso.example",
  number_of_employees: 80,
  addresses: [{ street_1: "1 Main Street", city: "Springfield", country: "US", address_type: "SHIPPING" }],
  remote_fields: [{ remote_field_class: "3d1e6a9b-5c0f-4a1e-8f7d-2b9c0e1a4d55", value: "Prospect" }],
};

export const exampleContactRequest: ContactRequest = {
  first_name: "Grace",
  last_name: "Hopper",
  account: exampleAccount.id,
  email_addresses: [{ email_address: "grace@contoso.example", email_address_type: "Work" }],
  phone_numbers: [{ phone_number: "+15555550100", phone_number_type: "Mobile" }],
  linked_account_params: { lifecyclestage: "lead" },
};

export const examplePatchedContactRequest: PatchedContactRequest = {
  last_name: "Hopper-Smith",
  account: null,
};

export const exampleOpportunityRequest: OpportunityRequest = {
  name: "Contoso pilot",
  amount: 15000,
  account: exampleAccount.id,
  stage: exampleStage.id,
  status: "WON",
  close_date: "2025-04-15T00:00:00Z",
};

/** The read examples by model name, for the model reference. */
export const readExamples: Record<string, unknown> = {
  Account: exampleAccount,
  Contact: exampleContact,
  Opportunity: exampleOpportunity,
  User: exampleUser,
  Stage: exampleStage,
};

/** The POST examples by model name, for the model reference. */
export const writeExamples: Record<string, unknown> = {
  Account: exampleAccountRequest,
  Contact: exampleContactRequest,
  Opportunity: exampleOpportunityRequest,
};
