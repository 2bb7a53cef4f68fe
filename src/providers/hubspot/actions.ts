/**
 * HubSpot's writes as typed actions: create and update a contact, a company and a deal through the CRM v3
 * objects API (`POST /crm/v3/objects/{type}`, `PATCH /crm/v3/objects/{type}/{id}`). Inputs use HubSpot's
 * property names, custom properties included (HubSpot checks that each exists and is writable). A contact or
 * deal is put at a company with `company_id`: as the create's primary association, or on an update through
 * the v4 default association (`PUT /crm/v4/objects/{type}/{id}/associations/default/companies/{companyId}`).
 */
import { z } from "zod";
import type { ActionDefinition, HttpClient } from "../../core/index.ts";

/** A CRM record id: HubSpot's ids are decimal numbers, sent as strings. */
export const hubspotId = z.string().regex(/^[1-9]\d{0,19}$/, "must be a HubSpot record id (digits)");
const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** Property values by internal name (`firstname`, `dealstage`, `my_custom_property`). */
const properties = z
  .record(z.string().regex(/^[a-z0-9_]{1,100}$/, "must be a property's internal name"), propertyValue)
  .describe("Property values by HubSpot's internal property name (custom properties included).");
const companyId = hubspotId.describe("The company to associate the record with.");

const example = (value: Record<string, unknown>) => ({ examples: [value] });

export const contactInput = z
  .strictObject({ properties, company_id: companyId.optional() })
  .meta(example({ properties: { firstname: "Ada", lastname: "Lovelace", email: "ada@example.com" } }));
export const companyInput = z
  .strictObject({ properties })
  .meta(example({ properties: { name: "Analytical Engines", domain: "engines.example" } }));
export const dealInput = z
  .strictObject({ properties, company_id: companyId.optional() })
  .meta(example({ properties: { dealname: "Engine order", amount: 5000, dealstage: "qualifiedtobuy" } }));
/** An update: the record's id, the properties to change, and (contacts and deals) a company to add. */
export const contactUpdate = contactInput
  .extend({ id: hubspotId })
  .meta(example({ id: "101", properties: { lastname: "King" } }));
export const companyUpdate = companyInput
  .extend({ id: hubspotId })
  .meta(example({ id: "101", properties: { name: "Difference Engines" } }));
export const dealUpdate = dealInput
  .extend({ id: hubspotId })
  .meta(example({ id: "101", properties: { dealstage: "closedwon" } }));

/** What HubSpot answers a create or an update: the record, with the properties it wrote. */
export const savedObject = z.looseObject({
  id: hubspotId,
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean().optional(),
});
export type SavedObject = z.infer<typeof savedObject>;

type ObjectType = "contacts" | "companies" | "deals";
type Properties = z.infer<typeof properties>;

/** HubSpot's primary association type ids to a company (HUBSPOT_DEFINED). */
const PRIMARY_COMPANY_ASSOCIATION: Partial<Record<ObjectType, number>> = { contacts: 1, deals: 5 };

async function create(
  http: HttpClient,
  type: ObjectType,
  input: { properties: Properties; company_id?: string },
) {
  const typeId = PRIMARY_COMPANY_ASSOCIATION[type];
  const associations =
    input.company_id !== undefined && typeId !== undefined
      ? [
          {
            to: { id: input.company_id },
            types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: typeId }],
          },
        ]
      : undefined;
  const response = await http.request({
    method: "POST",
    path: `/crm/v3/objects/${type}`,
    body: { properties: input.properties, ...(associations ? { associations } : {}) },
  });
  return savedObject.parse(response.body);
}

async function update(
  http: HttpClient,
  type: ObjectType,
  input: { id: string; properties: Properties; company_id?: string },
) {
  const response = await http.request({
    method: "PATCH",
    path: `/crm/v3/objects/${type}/${input.id}`,
    body: { properties: input.properties },
  });
  if (input.company_id !== undefined) {
    await http.request({
      method: "PUT",
      path: `/crm/v4/objects/${type}/${input.id}/associations/default/companies/${input.company_id}`,
    });
  }
  return savedObject.parse(response.body);
}

function action<I>(
  name: string,
  description: string,
  input: z.ZodType<I>,
  run: (http: HttpClient, input: I) => Promise<SavedObject>,
): ActionDefinition<I, SavedObject> {
  return { name, description, input, output: savedObject, run };
}

const archiveInput = z.strictObject({ id: hubspotId }).meta(example({ id: "101" }));
const archivedOutput = z.strictObject({ id: hubspotId, archived: z.literal(true) });

/** Archives (HubSpot's delete: restorable for 90 days) a record; `archive_contact` and the others. */
function archiveAction(type: ObjectType, singular: string): ActionDefinition {
  return {
    name: `archive_${singular}`,
    description: `Archive a ${singular} (HubSpot's delete; restorable in HubSpot for 90 days)`,
    input: archiveInput,
    output: archivedOutput,
    async run(http, input) {
      const { id } = input as z.infer<typeof archiveInput>;
      await http.request({ method: "DELETE", path: `/crm/v3/objects/${type}/${id}` });
      return { id, archived: true as const };
    },
  };
}

export const hubspotActions: readonly ActionDefinition[] = [
  action("create_contact", "Create a contact", contactInput, (http, input) =>
    create(http, "contacts", input),
  ),
  action("update_contact", "Update a contact's properties", contactUpdate, (http, input) =>
    update(http, "contacts", input),
  ),
  action("create_company", "Create a company", companyInput, (http, input) =>
    create(http, "companies", input),
  ),
  action("update_company", "Update a company's properties", companyUpdate, (http, input) =>
    update(http, "companies", input),
  ),
  action("create_deal", "Create a deal", dealInput, (http, input) => create(http, "deals", input)),
  action("update_deal", "Update a deal's properties", dealUpdate, (http, input) =>
    update(http, "deals", input),
  ),
  archiveAction("contacts", "contact"),
  archiveAction("companies", "company"),
  archiveAction("deals", "deal"),
] as readonly ActionDefinition[];
