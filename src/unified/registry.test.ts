import { describe, expect, it } from "vitest";
import { getUnifiedModel, type JsonSchema, modelJsonSchemas, unifiedModels } from "./registry.ts";

/**
 * The fields Merge documents for each shape, in its order: the properties of the types of Merge's Node SDK
 * (`@mergeapi/merge-node-client` 4.0.3, `crm` namespace), checked against Merge's CRM OpenAPI document.
 */
const DOCUMENTED_FIELDS: Record<string, string[]> = {
  "crm.Account": [
    ...[
      "id",
      "remote_id",
      "created_at",
      "modified_at",
      "owner",
      "name",
      "description",
      "industry",
      "website",
    ],
    ...["number_of_employees", "addresses", "phone_numbers", "last_activity_at", "remote_updated_at"],
    ...["remote_created_at", "remote_was_deleted", "field_mappings", "remote_data", "remote_fields"],
  ],
  "crm.AccountRequest": [
    ...["owner", "name", "description", "industry", "website", "number_of_employees", "addresses"],
    ...["last_activity_at", "integration_params", "linked_account_params", "remote_fields"],
  ],
  "crm.Contact": [
    ...["id", "remote_id", "created_at", "modified_at", "first_name", "last_name", "account", "owner"],
    ...["addresses", "email_addresses", "phone_numbers", "last_activity_at", "remote_created_at"],
    ...["remote_was_deleted", "field_mappings", "remote_data", "remote_fields"],
  ],
  "crm.ContactRequest": [
    ...["first_name", "last_name", "account", "owner", "addresses", "email_addresses", "phone_numbers"],
    ...["last_activity_at", "integration_params", "linked_account_params", "remote_fields"],
  ],
  "crm.Opportunity": [
    ...["id", "remote_id", "created_at", "modified_at", "name", "description", "amount", "owner", "account"],
    ...["stage", "status", "last_activity_at", "close_date", "remote_created_at", "remote_was_deleted"],
    ...["field_mappings", "remote_data", "remote_fields"],
  ],
  "crm.OpportunityRequest": [
    ...["name", "description", "amount", "owner", "account", "stage", "status", "last_activity_at"],
    ...["close_date", "integration_params", "linked_account_params", "remote_fields"],
  ],
  "crm.User": [
    ...["id", "remote_id", "created_at", "modified_at", "name", "email", "is_active", "remote_was_deleted"],
    ...["field_mappings", "remote_data", "remote_fields"],
  ],
  "crm.Stage": [
    ...["id", "remote_id", "created_at", "modified_at", "name", "remote_was_deleted", "field_mappings"],
    ...["remote_data", "remote_fields"],
  ],
  "crm.Address": [
    ...["created_at", "modified_at", "street_1", "street_2", "city", "state", "postal_code", "country"],
    "address_type",
  ],
  "crm.AddressRequest": [
    ...["street_1", "street_2", "city", "state", "postal_code", "country", "address_type"],
    ...["integration_params", "linked_account_params"],
  ],
  "crm.EmailAddress": ["created_at", "modified_at", "email_address", "email_address_type"],
  "crm.EmailAddressRequest": [
    "email_address",
    "email_address_type",
    "integration_params",
    "linked_account_params",
  ],
  "crm.PhoneNumber": ["created_at", "modified_at", "phone_number", "phone_number_type"],
  "crm.PhoneNumberRequest": [
    "phone_number",
    "phone_number_type",
    "integration_params",
    "linked_account_params",
  ],
  "crm.RemoteData": ["path", "data"],
  "crm.RemoteField": ["remote_field_class", "value"],
  "crm.RemoteFieldRequest": ["remote_field_class", "value"],
  "crm.RemoteFieldClass": [
    ...["id", "display_name", "remote_key_name", "description", "is_custom", "is_common_model_field"],
    ...["is_required", "field_type", "field_format", "field_choices", "item_schema"],
  ],
  "crm.CrmAccountEndpointRequest": ["model"],
  "crm.PatchedCrmContactEndpointRequest": ["model"],
  "crm.CrmAccountResponse": ["model", "warnings", "errors", "logs"],
  "crm.CrmContactResponse": ["model", "warnings", "errors", "logs"],
  "crm.OpportunityResponse": ["model", "warnings", "errors", "logs"],
  "crm.WarningValidationProblem": ["source", "title", "detail", "problem_type"],
  "crm.ErrorValidationProblem": ["source", "title", "detail", "problem_type"],
  "crm.DebugModeLog": ["log_id", "dashboard_view", "log_summary"],
  "crm.PaginatedAccountList": ["next", "previous", "results"],
  "crm.PaginatedStageList": ["next", "previous", "results"],
};
// The PATCH bodies list the same fields as the POST bodies.
DOCUMENTED_FIELDS["crm.PatchedAccountRequest"] = DOCUMENTED_FIELDS["crm.AccountRequest"] ?? [];
DOCUMENTED_FIELDS["crm.PatchedContactRequest"] = DOCUMENTED_FIELDS["crm.ContactRequest"] ?? [];
DOCUMENTED_FIELDS["crm.PatchedOpportunityRequest"] = DOCUMENTED_FIELDS["crm.OpportunityRequest"] ?? [];

interface ObjectSchema {
  properties?: Record<string, JsonSchema & { anyOf?: JsonSchema[]; type?: unknown }>;
  required?: string[];
  enum?: unknown[];
}

/** Every shared definition of every schema of every model, by id. */
function allDefinitions(): Record<string, ObjectSchema> {
  const definitions: Record<string, ObjectSchema> = {};
  for (const model of unifiedModels) {
    for (const schema of Object.values(modelJsonSchemas(model))) {
      Object.assign(definitions, (schema as { $defs?: Record<string, ObjectSchema> }).$defs);
    }
  }
  return definitions;
}

/** True when a property's JSON Schema admits null. */
function admitsNull(property: { anyOf?: JsonSchema[]; type?: unknown }): boolean {
  if (Array.isArray(property.type)) return property.type.includes("null");
  return (property.anyOf ?? []).some((branch) => branch.type === "null");
}

const definitions = allDefinitions();

describe("unified model registry", () => {
  it("holds Merge's five CRM Common Models at Merge's paths, three of them writable", () => {
    const crm = unifiedModels.filter((model) => model.category === "crm");
    expect(crm.map((model) => [model.name, model.path, Boolean(model.writes)])).toEqual([
      ["Account", "accounts", true],
      ["Contact", "contacts", true],
      ["Opportunity", "opportunities", true],
      ["User", "users", false],
      ["Stage", "stages", false],
    ]);
  });

  it("names the known models when asked for an unknown one", () => {
    expect(() => getUnifiedModel("crm", "Lead")).toThrow(
      /Known models: Account, Contact, Opportunity, User, Stage/,
    );
  });
});

describe("JSON Schema of the CRM models", () => {
  for (const [id, fields] of Object.entries(DOCUMENTED_FIELDS)) {
    it(`${id} names every documented field, in Merge's order, and no other`, () => {
      expect(Object.keys(definitions[id]?.properties ?? {})).toEqual(fields);
    });
  }

  it("requires no field of a Common Model, as Merge requires none", () => {
    for (const id of ["crm.Account", "crm.Contact", "crm.Opportunity", "crm.User", "crm.Stage"]) {
      expect(definitions[id]?.required ?? []).toEqual([]);
    }
  });

  it("requires what Merge requires in nested shapes and envelopes", () => {
    expect(definitions["crm.RemoteData"]?.required).toEqual(["path"]);
    expect(definitions["crm.RemoteField"]?.required).toEqual(["remote_field_class"]);
    expect(definitions["crm.CrmContactResponse"]?.required).toEqual(["model", "warnings", "errors"]);
    expect(definitions["crm.ErrorValidationProblem"]?.required).toEqual(["title", "detail", "problem_type"]);
    expect(definitions["crm.CrmAccountEndpointRequest"]?.required).toEqual(["model"]);
  });

  it("admits null exactly where Merge marks a field nullable", () => {
    const account = definitions["crm.Account"]?.properties ?? {};
    const nullableFields = Object.keys(account).filter((name) => admitsNull(account[name] ?? {}));
    expect(nullableFields).toEqual([
      ...["remote_id", "owner", "name", "description", "industry", "website", "number_of_employees"],
      ...["last_activity_at", "remote_updated_at", "remote_created_at", "field_mappings", "remote_data"],
    ]);
  });

  it("publishes Merge's enums", () => {
    expect(definitions["crm.OpportunityStatusEnum"]?.enum).toEqual(["OPEN", "WON", "LOST"]);
    expect(definitions["crm.AddressTypeEnum"]?.enum).toEqual(["BILLING", "SHIPPING"]);
    expect(definitions["crm.CountryEnum"]?.enum).toHaveLength(249);
  });

  it("publishes timestamps as date-time strings", () => {
    const modifiedAt = definitions["crm.Contact"]?.properties?.modified_at as { format?: string };
    expect(modifiedAt.format).toBe("date-time");
  });
});
