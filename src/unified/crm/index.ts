/** The CRM Common Models, as Merge's CRM API names and shapes them. */

import type { UnifiedModel } from "../model.ts";
import { Account, AccountRequest, PatchedAccountRequest } from "./account.ts";
import { Contact, ContactRequest, PatchedContactRequest } from "./contact.ts";
import { paginatedList, writeRequest, writeResponse } from "./envelopes.ts";
import { Opportunity, OpportunityRequest, PatchedOpportunityRequest } from "./opportunity.ts";
import { Stage } from "./stage.ts";
import { User } from "./user.ts";

export { Account, AccountRequest, PatchedAccountRequest } from "./account.ts";
export { Address, AddressRequest, AddressTypeEnum } from "./address.ts";
export { Contact, ContactRequest, PatchedContactRequest } from "./contact.ts";
export { COUNTRY_CODES, CountryEnum } from "./country.ts";
export { EmailAddress, EmailAddressRequest } from "./email-address.ts";
export {
  DebugModeLog,
  DetailErrorResponse,
  ErrorValidationProblem,
  WarningValidationProblem,
  WriteErrorResponse,
} from "./envelopes.ts";
export { FieldMappings } from "./field-mappings.ts";
export {
  Opportunity,
  OpportunityRequest,
  OpportunityStatusEnum,
  PatchedOpportunityRequest,
} from "./opportunity.ts";
export { PhoneNumber, PhoneNumberRequest } from "./phone-number.ts";
export { RemoteData } from "./remote-data.ts";
export { RemoteField, RemoteFieldClass, RemoteFieldRequest } from "./remote-field.ts";
export { Stage } from "./stage.ts";
export { User } from "./user.ts";

/** The envelope names are Merge SDK's (`CrmAccountEndpointRequest`, `OpportunityResponse`…). */
export const crmModels: readonly UnifiedModel[] = [
  {
    category: "crm",
    name: "Account",
    path: "accounts",
    schema: Account,
    list: paginatedList("Account", Account),
    writes: {
      create: AccountRequest,
      patch: PatchedAccountRequest,
      createBody: writeRequest("CrmAccountEndpointRequest", AccountRequest),
      patchBody: writeRequest("PatchedCrmAccountEndpointRequest", PatchedAccountRequest),
      response: writeResponse("CrmAccountResponse", Account),
    },
  },
  {
    category: "crm",
    name: "Contact",
    path: "contacts",
    schema: Contact,
    list: paginatedList("Contact", Contact),
    writes: {
      create: ContactRequest,
      patch: PatchedContactRequest,
      createBody: writeRequest("CrmContactEndpointRequest", ContactRequest),
      patchBody: writeRequest("PatchedCrmContactEndpointRequest", PatchedContactRequest),
      response: writeResponse("CrmContactResponse", Contact),
    },
  },
  {
    category: "crm",
    name: "Opportunity",
    path: "opportunities",
    schema: Opportunity,
    list: paginatedList("Opportunity", Opportunity),
    writes: {
      create: OpportunityRequest,
      patch: PatchedOpportunityRequest,
      createBody: writeRequest("OpportunityEndpointRequest", OpportunityRequest),
      patchBody: writeRequest("PatchedOpportunityEndpointRequest", PatchedOpportunityRequest),
      response: writeResponse("OpportunityResponse", Opportunity),
    },
  },
  { category: "crm", name: "User", path: "users", schema: User, list: paginatedList("User", User) },
  { category: "crm", name: "Stage", path: "stages", schema: Stage, list: paginatedList("Stage", Stage) },
];
