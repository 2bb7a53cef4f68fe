/**
 * Salesforce's writes as typed actions: create and update a Contact, an Account and an Opportunity
 * (`POST /sobjects/{object}`, `PATCH /sobjects/{object}/{id}`), and delete a record of any of them (by object
 * and id, or `delete_contact` etc. by `Id` alone, as reverse ETL's mirror mode and flows name the record).
 * Inputs use Salesforce's field names; custom fields (`__c`) pass through as they are, checked by Salesforce.
 * Many at once: batch-actions.ts.
 */
import { z } from "zod";
import type { ActionDefinition, HttpClient } from "../../core/index.ts";
import { sobjectPath } from "./api.ts";

/** A 15- or 18-character record id. */
export const salesforceId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, "must be a 15- or 18-character Salesforce id");
const text = z.string().min(1);
const nullableText = text.nullable();

/** Known fields, strictly typed, plus any custom field (`Something__c`). */
function withCustomFields<T extends z.ZodRawShape>(shape: T) {
  return z
    .object(shape)
    .catchall(z.unknown())
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key) && !key.endsWith("__c")) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "is not a field this action writes (custom fields end in __c)",
          });
        }
      }
    });
}

const address = (prefix: string) => ({
  [`${prefix}Street`]: nullableText.optional(),
  [`${prefix}City`]: nullableText.optional(),
  [`${prefix}State`]: nullableText.optional(),
  [`${prefix}PostalCode`]: nullableText.optional(),
  [`${prefix}Country`]: nullableText.optional(),
});

const contactFields = {
  FirstName: nullableText.optional(),
  LastName: text,
  Email: z.email().nullable().optional(),
  Phone: nullableText.optional(),
  Title: nullableText.optional(),
  AccountId: salesforceId.nullable().optional(),
  OwnerId: salesforceId.optional(),
  ...address("Mailing"),
};
const accountFields = {
  Name: text,
  Industry: nullableText.optional(),
  Website: nullableText.optional(),
  Phone: nullableText.optional(),
  NumberOfEmployees: z.number().int().min(0).nullable().optional(),
  OwnerId: salesforceId.optional(),
  ...address("Billing"),
};
const opportunityFields = {
  Name: text,
  StageName: text,
  CloseDate: z.iso.date(),
  Amount: z.number().nullable().optional(),
  Probability: z.number().min(0).max(100).nullable().optional(),
  AccountId: salesforceId.nullable().optional(),
  OwnerId: salesforceId.optional(),
};

const example = (value: Record<string, unknown>) => ({ examples: [value] });
const ID = "0035g00000AbCdEAAZ";

export const contactInput = withCustomFields(contactFields).meta(
  example({ FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com" }),
);
export const accountInput = withCustomFields(accountFields).meta(example({ Name: "Analytical Engines" }));
export const opportunityInput = withCustomFields(opportunityFields).meta(
  example({ Name: "Engine order", StageName: "Prospecting", CloseDate: "2030-01-15", Amount: 5000 }),
);

/** An update: the record's Id, and only the fields to change. */
const updateOf = (shape: z.ZodRawShape) =>
  withCustomFields({ ...z.object(shape).partial().shape, Id: salesforceId });
export const contactUpdate = updateOf(contactFields).meta(example({ Id: ID, LastName: "King" }));
export const accountUpdate = updateOf(accountFields).meta(example({ Id: ID, Name: "Difference Engines" }));
export const opportunityUpdate = updateOf(opportunityFields).meta(
  example({ Id: ID, StageName: "Closed Won" }),
);

/** What Salesforce answers a create, and what an update or delete (204, no body) amounts to. */
export const saveResult = z.object({
  id: salesforceId,
  success: z.boolean(),
  errors: z.array(z.unknown()),
});
export type SaveResult = z.infer<typeof saveResult>;

export const deleteInput = z
  .strictObject({ object: z.enum(["Contact", "Account", "Opportunity"]), id: salesforceId })
  .meta(example({ object: "Contact", id: ID }));

/** A delete of one object's record by its Id, the field its update action names the record by. */
export const deleteById = z.strictObject({ Id: salesforceId }).meta(example({ Id: ID }));

export async function createRecord(
  http: HttpClient,
  object: string,
  fields: Record<string, unknown>,
): Promise<SaveResult> {
  const response = await http.request({ method: "POST", path: sobjectPath(object), body: fields });
  return saveResult.parse(response.body);
}

export async function updateRecord(
  http: HttpClient,
  object: string,
  input: { Id: string } & Record<string, unknown>,
): Promise<SaveResult> {
  const { Id: id, ...fields } = input;
  await http.request({ method: "PATCH", path: sobjectPath(object, id), body: fields });
  return { id, success: true, errors: [] };
}

export async function deleteRecord(
  http: HttpClient,
  input: z.infer<typeof deleteInput>,
): Promise<SaveResult> {
  await http.request({ method: "DELETE", path: sobjectPath(input.object, input.id) });
  return { id: input.id, success: true, errors: [] };
}

function action<I>(
  name: string,
  description: string,
  input: z.ZodType<I>,
  run: (http: HttpClient, input: I) => Promise<SaveResult>,
): ActionDefinition<I, SaveResult> {
  return { name, description, input, output: saveResult, run };
}

type Fields = Record<string, unknown>;
type Update = { Id: string } & Fields;

export const salesforceActions: readonly ActionDefinition[] = [
  action("create_contact", "Create a Contact", contactInput, (http, input: Fields) =>
    createRecord(http, "Contact", input),
  ),
  action("update_contact", "Update a Contact's fields", contactUpdate, (http, input) =>
    updateRecord(http, "Contact", input as Update),
  ),
  action("create_account", "Create an Account", accountInput, (http, input: Fields) =>
    createRecord(http, "Account", input),
  ),
  action("update_account", "Update an Account's fields", accountUpdate, (http, input) =>
    updateRecord(http, "Account", input as Update),
  ),
  action("create_opportunity", "Create an Opportunity", opportunityInput, (http, input: Fields) =>
    createRecord(http, "Opportunity", input),
  ),
  action("update_opportunity", "Update an Opportunity's fields", opportunityUpdate, (http, input) =>
    updateRecord(http, "Opportunity", input as Update),
  ),
  action("delete_contact", "Delete a Contact (it goes to the recycle bin)", deleteById, (http, input) =>
    deleteRecord(http, { object: "Contact", id: input.Id }),
  ),
  action("delete_account", "Delete an Account (it goes to the recycle bin)", deleteById, (http, input) =>
    deleteRecord(http, { object: "Account", id: input.Id }),
  ),
  action(
    "delete_opportunity",
    "Delete an Opportunity (it goes to the recycle bin)",
    deleteById,
    (http, input) => deleteRecord(http, { object: "Opportunity", id: input.Id }),
  ),
  action(
    "delete_record",
    "Delete a Contact, Account or Opportunity (it goes to the recycle bin)",
    deleteInput,
    deleteRecord,
  ),
] as readonly ActionDefinition[];
