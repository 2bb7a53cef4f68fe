/**
 * What the emulated HubSpot account contains: its object types and their property definitions,
 * declared once so generation, search, serialisation and the properties API agree.
 */

export type ObjectTypeName = "contacts" | "companies" | "deals";

export const OBJECT_TYPES: readonly ObjectTypeName[] = ["contacts", "companies", "deals"];

/** HubSpot property value types, as the properties API reports them. */
export type PropertyType =
  | "string"
  | "number"
  | "date"
  | "datetime"
  | "enumeration"
  | "bool"
  | "phone_number";

/** A property definition exactly as `GET /crm/v3/properties/{objectType}` returns it. */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  description: string;
  groupName: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  displayOrder: number;
  calculated: boolean;
  externalOptions: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  hubspotDefined: boolean;
  formField: boolean;
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** The short form we declare properties in; `definitionOf` expands it to what the API returns. */
export interface PropertySpec {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  options?: readonly string[];
  readOnly?: boolean;
  description?: string;
  /** The property group it is listed under (default: the type's main group). */
  groupName?: string;
  /** Values are unique across records, so the property can serve as an `idProperty`. */
  unique?: boolean;
}

export interface ObjectSpec {
  name: ObjectTypeName;
  singular: string;
  /** HubSpot's object type id (`0-1` for contacts), accepted in paths like the name. */
  typeId: string;
  /** First id of the seeded records; ids of different types never overlap. */
  idBase: number;
  /** The property holding the last-modified time (contacts differ from the others). */
  modifiedProperty: string;
  groupName: string;
  /** Properties returned when a request names none. */
  defaultProperties: readonly string[];
  properties: readonly PropertySpec[];
  /** Default spacing of seeded creation times; squeezed when the count would overrun the clock. */
  createdEveryMs: number;
}

const MINUTE = 60_000;

const LIFECYCLE_STAGES = [
  "subscriber",
  "lead",
  "marketingqualifiedlead",
  "salesqualifiedlead",
  "opportunity",
  "customer",
  "evangelist",
  "other",
] as const;

const timestamps = (modified: string): PropertySpec[] => [
  { name: "createdate", label: "Create Date", type: "datetime", fieldType: "date", readOnly: true },
  { name: modified, label: "Last Modified Date", type: "datetime", fieldType: "date", readOnly: true },
  { name: "hs_object_id", label: "Record ID", type: "number", fieldType: "number", readOnly: true },
];

export const OBJECT_SPECS: Readonly<Record<ObjectTypeName, ObjectSpec>> = {
  contacts: {
    name: "contacts",
    singular: "contact",
    typeId: "0-1",
    idBase: 101,
    modifiedProperty: "lastmodifieddate",
    groupName: "contactinformation",
    defaultProperties: ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
    createdEveryMs: 7 * MINUTE,
    properties: [
      { name: "email", label: "Email", type: "string", fieldType: "text" },
      { name: "firstname", label: "First Name", type: "string", fieldType: "text" },
      { name: "lastname", label: "Last Name", type: "string", fieldType: "text" },
      { name: "phone", label: "Phone Number", type: "string", fieldType: "phonenumber" },
      { name: "company", label: "Company Name", type: "string", fieldType: "text" },
      { name: "jobtitle", label: "Job Title", type: "string", fieldType: "text" },
      { name: "website", label: "Website URL", type: "string", fieldType: "text" },
      { name: "city", label: "City", type: "string", fieldType: "text" },
      { name: "country", label: "Country/Region", type: "string", fieldType: "text" },
      {
        name: "lifecyclestage",
        label: "Lifecycle Stage",
        type: "enumeration",
        fieldType: "radio",
        options: LIFECYCLE_STAGES,
      },
      {
        name: "hs_lead_status",
        label: "Lead Status",
        type: "enumeration",
        fieldType: "select",
        options: [
          "NEW",
          "OPEN",
          "IN_PROGRESS",
          "OPEN_DEAL",
          "UNQUALIFIED",
          "ATTEMPTED_TO_CONTACT",
          "CONNECTED",
        ],
      },
      { name: "hubspotscore", label: "HubSpot Score", type: "number", fieldType: "number", readOnly: true },
      {
        name: "hs_email_optout",
        label: "Unsubscribed from all email",
        type: "bool",
        fieldType: "booleancheckbox",
        options: ["true", "false"],
      },
      ...timestamps("lastmodifieddate"),
    ],
  },
  companies: {
    name: "companies",
    singular: "company",
    typeId: "0-2",
    idBase: 7_000_000_001,
    modifiedProperty: "hs_lastmodifieddate",
    groupName: "companyinformation",
    defaultProperties: ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
    createdEveryMs: 40 * MINUTE,
    properties: [
      { name: "name", label: "Company name", type: "string", fieldType: "text" },
      { name: "domain", label: "Company Domain Name", type: "string", fieldType: "text" },
      {
        name: "industry",
        label: "Industry",
        type: "enumeration",
        fieldType: "select",
        options: [
          "COMPUTER_SOFTWARE",
          "FINANCIAL_SERVICES",
          "HOSPITAL_HEALTH_CARE",
          "LOGISTICS_AND_SUPPLY_CHAIN",
          "MARKETING_AND_ADVERTISING",
          "RETAIL",
          "CONSTRUCTION",
          "EDUCATION_MANAGEMENT",
        ],
      },
      { name: "phone", label: "Phone Number", type: "string", fieldType: "phonenumber" },
      { name: "city", label: "City", type: "string", fieldType: "text" },
      { name: "country", label: "Country/Region", type: "string", fieldType: "text" },
      { name: "numberofemployees", label: "Number of Employees", type: "number", fieldType: "number" },
      { name: "annualrevenue", label: "Annual Revenue", type: "number", fieldType: "number" },
      {
        name: "lifecyclestage",
        label: "Lifecycle Stage",
        type: "enumeration",
        fieldType: "radio",
        options: LIFECYCLE_STAGES,
      },
      { name: "description", label: "Description", type: "string", fieldType: "textarea" },
      {
        name: "is_public",
        label: "Is Public",
        type: "bool",
        fieldType: "booleancheckbox",
        options: ["true", "false"],
      },
      ...timestamps("hs_lastmodifieddate"),
    ],
  },
  deals: {
    name: "deals",
    singular: "deal",
    typeId: "0-3",
    idBase: 9_000_000_001,
    modifiedProperty: "hs_lastmodifieddate",
    groupName: "dealinformation",
    defaultProperties: [
      "amount",
      "closedate",
      "createdate",
      "dealname",
      "dealstage",
      "hs_lastmodifieddate",
      "hs_object_id",
      "pipeline",
    ],
    createdEveryMs: 25 * MINUTE,
    properties: [
      { name: "dealname", label: "Deal Name", type: "string", fieldType: "text" },
      { name: "amount", label: "Amount", type: "number", fieldType: "number" },
      {
        name: "dealstage",
        label: "Deal Stage",
        type: "enumeration",
        fieldType: "radio",
        options: [
          "appointmentscheduled",
          "qualifiedtobuy",
          "presentationscheduled",
          "decisionmakerboughtin",
          "contractsent",
          "closedwon",
          "closedlost",
        ],
      },
      { name: "pipeline", label: "Pipeline", type: "enumeration", fieldType: "select", options: ["default"] },
      { name: "closedate", label: "Close Date", type: "datetime", fieldType: "date" },
      {
        name: "dealtype",
        label: "Deal Type",
        type: "enumeration",
        fieldType: "radio",
        options: ["newbusiness", "existingbusiness"],
      },
      {
        name: "hs_priority",
        label: "Priority",
        type: "enumeration",
        fieldType: "select",
        options: ["low", "medium", "high"],
      },
      { name: "description", label: "Deal Description", type: "string", fieldType: "textarea" },
      {
        name: "hs_is_closed",
        label: "Is Deal Closed?",
        type: "bool",
        fieldType: "booleancheckbox",
        options: ["true", "false"],
        readOnly: true,
      },
      ...timestamps("hs_lastmodifieddate"),
    ],
  },
};

/** Path segments HubSpot accepts for each object type: plural, singular and object type id. */
export function resolveObjectType(segment: string): ObjectTypeName | undefined {
  const wanted = segment.toLowerCase();
  return OBJECT_TYPES.find((name) => {
    const spec = OBJECT_SPECS[name];
    return wanted === name || wanted === spec.singular || wanted === spec.typeId;
  });
}

/** Always returned alongside requested properties, as HubSpot does. */
export function alwaysReturnedProperties(spec: ObjectSpec): string[] {
  return ["createdate", spec.modifiedProperty, "hs_object_id"];
}

/** The full API shape of a declared property; deterministic (fixed timestamps). */
export function definitionOf(spec: ObjectSpec, property: PropertySpec, index: number): PropertyDefinition {
  const readOnly = property.readOnly === true;
  return {
    name: property.name,
    label: property.label,
    type: property.type,
    fieldType: property.fieldType,
    description: property.description ?? "",
    groupName: property.groupName ?? spec.groupName,
    options: (property.options ?? []).map((value, displayOrder) => ({
      label: property.type === "bool" ? (value === "true" ? "Yes" : "No") : value,
      value,
      displayOrder,
      hidden: false,
    })),
    displayOrder: index,
    calculated: false,
    externalOptions: false,
    hasUniqueValue: property.name === "hs_object_id" || property.unique === true,
    hidden: false,
    hubspotDefined: true,
    formField: !readOnly,
    modificationMetadata: { archivable: !readOnly, readOnlyDefinition: true, readOnlyValue: readOnly },
    createdAt: "2019-08-06T02:41:52.000Z",
    updatedAt: "2019-08-06T02:41:52.000Z",
    archived: false,
  };
}

/** Association type ids and names HubSpot defines between the emulated object types. */
export interface AssociationKind {
  from: ObjectTypeName;
  to: ObjectTypeName;
  /** The v3 `type` names: primary first, then unlabeled. */
  primaryName: string;
  unlabeledName: string;
  /** The v4 `typeId`s: primary (label "Primary") and unlabeled (label null). */
  primaryTypeId: number;
  unlabeledTypeId: number;
}

export const ASSOCIATION_KINDS: readonly AssociationKind[] = [
  kind("contacts", "companies", "contact_to_company", 1, 279),
  kind("companies", "contacts", "company_to_contact", 2, 280),
  kind("deals", "companies", "deal_to_company", 5, 341),
  kind("companies", "deals", "company_to_deal", 6, 342),
];

function kind(
  from: ObjectTypeName,
  to: ObjectTypeName,
  name: string,
  primaryTypeId: number,
  unlabeledTypeId: number,
): AssociationKind {
  return {
    from,
    to,
    primaryName: name,
    unlabeledName: `${name}_unlabeled`,
    primaryTypeId,
    unlabeledTypeId,
  };
}

/** The association kind between two object types, if HubSpot defines one we emulate. */
export function associationKind(from: ObjectTypeName, to: ObjectTypeName): AssociationKind | undefined {
  return ASSOCIATION_KINDS.find((candidate) => candidate.from === from && candidate.to === to);
}
