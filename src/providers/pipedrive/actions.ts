/**
 * Pipedrive's writes through API v2 (POST creates, PATCH updates, DELETE deletes): typed functions and
 * ActionDefinitions.
 */
import { z } from "zod";
import type { ActionDefinition, HttpClient } from "../../core/index.ts";

const id = z.number().int().positive();
/** Custom field values by their 40-character key, as v2 takes them under `custom_fields`. */
const customKey = z.string().regex(/^[0-9a-f]{40}$/, "must be a custom field's key");
const customFields = z.record(customKey, z.unknown());

export const personInput = z
  .strictObject({
    name: z.string().min(1),
    email: z.email().optional(),
    phone: z.string().min(1).optional(),
    org_id: id.optional(),
    owner_id: id.optional(),
    custom_fields: customFields.optional(),
  })
  .meta({ examples: [{ name: "Ada Lovelace", email: "ada@example.com", org_id: 1 }] });
export const organizationInput = z
  .strictObject({
    name: z.string().min(1),
    owner_id: id.optional(),
    custom_fields: customFields.optional(),
  })
  .meta({ examples: [{ name: "Analytical Engines Ltd" }] });
export const dealInput = z
  .strictObject({
    title: z.string().min(1),
    value: z.number().min(0).optional(),
    currency: z.string().length(3).optional(),
    person_id: id.optional(),
    org_id: id.optional(),
    stage_id: id.optional(),
    expected_close_date: z.iso.date().optional(),
    status: z.enum(["open", "won", "lost"]).optional(),
    owner_id: id.optional(),
    custom_fields: customFields.optional(),
  })
  .meta({ examples: [{ title: "Engine order", value: 5000, currency: "EUR", org_id: 1 }] });

/** An update: the record's id, and only the fields to change. */
const personChanges = personInput.partial();
const organizationChanges = organizationInput.partial();
const dealChanges = dealInput.partial();
export const personUpdate = personChanges.extend({ id }).meta({ examples: [{ id: 1, name: "Ada King" }] });
export const organizationUpdate = organizationChanges.extend({ id }).meta({ examples: [{ id: 1 }] });
export const dealUpdate = dealChanges.extend({ id }).meta({ examples: [{ id: 1, status: "won" }] });

/** What every write answers: the record as v2 returns it (its id, and whatever else Pipedrive sends). */
export const savedRecord = z.looseObject({ id, update_time: z.string().optional() });
export type SavedRecord = z.infer<typeof savedRecord>;

type Entity = "persons" | "organizations" | "deals";

/** v2 wants emails and phones as lists of `{ value, primary }`. */
function body(input: Record<string, unknown>): Record<string, unknown> {
  const { email, phone, ...rest } = input;
  if (email !== undefined) rest.emails = [{ value: email, primary: true }];
  if (phone !== undefined) rest.phones = [{ value: phone, primary: true }];
  return rest;
}

async function save(http: HttpClient, entity: Entity, input: Record<string, unknown>, recordId?: number) {
  const response = await http.request<{ data?: unknown }>({
    method: recordId === undefined ? "POST" : "PATCH",
    path: `/api/v2/${entity}${recordId === undefined ? "" : `/${recordId}`}`,
    body: body(input),
  });
  return savedRecord.parse(response.body?.data);
}

/** A delete by id (`DELETE /api/v2/{entity}/{id}`); Pipedrive keeps a deleted record 30 days, then purges it. */
export const deleteInput = z.strictObject({ id }).meta({ examples: [{ id: 1 }] });

async function remove(http: HttpClient, entity: Entity, { id: recordId }: { id: number }) {
  const response = await http.request<{ data?: unknown }>({
    method: "DELETE",
    path: `/api/v2/${entity}/${recordId}`,
  });
  return savedRecord.parse(response.body?.data ?? { id: recordId });
}

type PersonInput = z.infer<typeof personInput>;
type OrganizationInput = z.infer<typeof organizationInput>;
type DealInput = z.infer<typeof dealInput>;
type Update<T> = Partial<T> & { id: number };

export const createPerson = async (http: HttpClient, input: PersonInput) =>
  save(http, "persons", personInput.parse(input));
export const updatePerson = async (http: HttpClient, { id, ...input }: Update<PersonInput>) =>
  save(http, "persons", personChanges.parse(input), id);
export const createOrganization = async (http: HttpClient, input: OrganizationInput) =>
  save(http, "organizations", organizationInput.parse(input));
export const updateOrganization = async (http: HttpClient, { id, ...input }: Update<OrganizationInput>) =>
  save(http, "organizations", organizationChanges.parse(input), id);
export const createDeal = async (http: HttpClient, input: DealInput) =>
  save(http, "deals", dealInput.parse(input));
export const updateDeal = async (http: HttpClient, { id, ...input }: Update<DealInput>) =>
  save(http, "deals", dealChanges.parse(input), id);

function action<I>(
  name: string,
  description: string,
  input: z.ZodType<I>,
  run: (http: HttpClient, input: I) => Promise<SavedRecord>,
): ActionDefinition<I, SavedRecord> {
  return { name, description, input, output: savedRecord, run };
}

export const pipedriveActions: readonly ActionDefinition[] = [
  action("create_person", "Create a person", personInput, createPerson),
  action("update_person", "Update a person's fields", personUpdate, updatePerson),
  action("create_organization", "Create an organization", organizationInput, createOrganization),
  action("update_organization", "Update an organization's fields", organizationUpdate, updateOrganization),
  action("create_deal", "Create a deal", dealInput, createDeal),
  action("update_deal", "Update a deal's fields", dealUpdate, updateDeal),
  action("delete_person", "Delete a person", deleteInput, (http, input) => remove(http, "persons", input)),
  action("delete_organization", "Delete an organization", deleteInput, (http, input) =>
    remove(http, "organizations", input),
  ),
  action("delete_deal", "Delete a deal", deleteInput, (http, input) => remove(http, "deals", input)),
] as readonly ActionDefinition[];
