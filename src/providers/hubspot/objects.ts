/**
 * The HubSpot CRM objects Switchyard reads, as declarations: path, modification-time property,
 * whether records carry company ids, and the column types of the well-known properties.
 */
import type { ColumnType } from "../../core/index.ts";

export type CrmObjectName = "contacts" | "companies" | "deals";

export interface CrmObject {
  /** Stream name and path segment (`/crm/v3/objects/{name}`). */
  name: CrmObjectName;
  /** Property holding the last-modification time, searchable (contacts differ from the others). */
  modifiedProperty: "lastmodifieddate" | "hs_lastmodifieddate";
  /** Whether records get `companyIds` from their company associations. */
  withCompanyIds: boolean;
  /** Column types of well-known properties; properties not listed are typed from the properties API. */
  properties: Readonly<Record<string, ColumnType>>;
}

/** HubSpot's v3 list paging (objects, owners): the next page's `after` at `paging.next.after`, sent back as `after`. */
export const AFTER_PAGING = { type: "cursor", cursorPath: "paging.next.after", param: "after" } as const;

/** Columns every CRM record has, whatever the object. */
export const RECORD_COLUMNS: Readonly<Record<string, ColumnType>> = {
  id: "string",
  createdAt: "timestamp",
  updatedAt: "timestamp",
  archived: "boolean",
  archivedAt: "timestamp",
};

const timestamps = (modified: CrmObject["modifiedProperty"]) =>
  ({ createdate: "timestamp", [modified]: "timestamp", hs_object_id: "integer" }) as const;

export const CONTACTS: CrmObject = {
  name: "contacts",
  modifiedProperty: "lastmodifieddate",
  withCompanyIds: true,
  properties: {
    email: "string",
    firstname: "string",
    lastname: "string",
    phone: "string",
    company: "string",
    jobtitle: "string",
    website: "string",
    city: "string",
    country: "string",
    lifecyclestage: "string",
    hs_lead_status: "string",
    hubspotscore: "number",
    hs_email_optout: "boolean",
    ...timestamps("lastmodifieddate"),
  },
};

export const COMPANIES: CrmObject = {
  name: "companies",
  modifiedProperty: "hs_lastmodifieddate",
  withCompanyIds: false,
  properties: {
    name: "string",
    domain: "string",
    industry: "string",
    phone: "string",
    city: "string",
    country: "string",
    numberofemployees: "integer",
    annualrevenue: "number",
    lifecyclestage: "string",
    description: "string",
    is_public: "boolean",
    ...timestamps("hs_lastmodifieddate"),
  },
};

export const DEALS: CrmObject = {
  name: "deals",
  modifiedProperty: "hs_lastmodifieddate",
  withCompanyIds: true,
  properties: {
    dealname: "string",
    amount: "number",
    dealstage: "string",
    pipeline: "string",
    closedate: "timestamp",
    dealtype: "string",
    hs_priority: "string",
    description: "string",
    hs_is_closed: "boolean",
    ...timestamps("hs_lastmodifieddate"),
  },
};

export const CRM_OBJECTS: readonly CrmObject[] = [CONTACTS, COMPANIES, DEALS];

/** The declared columns of an object's stream: record columns, company ids, well-known properties. */
export function columnsOf(object: CrmObject): Record<string, ColumnType> {
  return {
    ...RECORD_COLUMNS,
    ...(object.withCompanyIds ? { companyIds: "json" as const } : {}),
    ...object.properties,
  };
}
