/**
 * The emulated org's objects and fields, as `sobjects/{object}/describe` reports them: Contact, Account,
 * Opportunity, User and OpportunityStage with their standard fields, a custom field (`__c`) on each of the
 * first three (and an External ID field, `Customer_Key__c`, on Contact), the system fields every record has, and the compound address fields built from their parts.
 */

/** The describe `type` of a field (a subset of Salesforce's). */
export type FieldType =
  | "id"
  | "string"
  | "email"
  | "phone"
  | "url"
  | "textarea"
  | "picklist"
  | "reference"
  | "boolean"
  | "int"
  | "double"
  | "currency"
  | "percent"
  | "date"
  | "datetime"
  | "address";

export interface FieldSpec {
  name: string;
  label: string;
  type: FieldType;
  /** False for fields a create must set (unless defaulted on create). Default true. */
  nillable?: boolean;
  /** Whether an API create / update may set it. Default true for ordinary fields. */
  createable?: boolean;
  updateable?: boolean;
  /** Set by the server when a create leaves it out (OwnerId). */
  defaultedOnCreate?: boolean;
  /** Computed from other fields (Name of a contact, IsWon); never written. */
  calculated?: boolean;
  referenceTo?: string;
  picklist?: readonly string[];
  length?: number;
  /** For a component of a compound address: the address field it belongs to. */
  compoundFieldName?: string;
  /** An external id: unique, and the key an upsert (`/composite/sobjects/{object}/{field}`) may match on. */
  externalId?: boolean;
}

export interface ObjectSpec {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  deletable: boolean;
  /** Fields besides the system ones. */
  fields: readonly FieldSpec[];
  /** Compound address fields: name → prefix of their parts (`MailingAddress` → `Mailing`). */
  addresses: Readonly<Record<string, string>>;
  /** Whether records carry IsDeleted (User does not: users are deactivated, never deleted). */
  hasIsDeleted: boolean;
  /** Setup data the API only reads (OpportunityStage): creates and updates are refused. */
  readOnly?: boolean;
}

const SYSTEM = (hasIsDeleted: boolean): FieldSpec[] => [
  { name: "Id", label: "Record ID", type: "id", nillable: false, createable: false, updateable: false },
  ...(hasIsDeleted
    ? [
        {
          name: "IsDeleted",
          label: "Deleted",
          type: "boolean",
          nillable: false,
          createable: false,
          updateable: false,
        } as const,
      ]
    : []),
  {
    name: "CreatedDate",
    label: "Created Date",
    type: "datetime",
    nillable: false,
    createable: false,
    updateable: false,
  },
  {
    name: "CreatedById",
    label: "Created By ID",
    type: "reference",
    referenceTo: "User",
    nillable: false,
    createable: false,
    updateable: false,
  },
  {
    name: "LastModifiedDate",
    label: "Last Modified Date",
    type: "datetime",
    nillable: false,
    createable: false,
    updateable: false,
  },
  {
    name: "LastModifiedById",
    label: "Last Modified By ID",
    type: "reference",
    referenceTo: "User",
    nillable: false,
    createable: false,
    updateable: false,
  },
  {
    name: "SystemModstamp",
    label: "System Modstamp",
    type: "datetime",
    nillable: false,
    createable: false,
    updateable: false,
  },
];

const OWNER: FieldSpec = {
  name: "OwnerId",
  label: "Owner ID",
  type: "reference",
  referenceTo: "User",
  nillable: false,
  defaultedOnCreate: true,
};

/** The parts of a compound address field, named with its prefix (`MailingStreet`…). */
function addressParts(prefix: string, label: string): FieldSpec[] {
  const compoundFieldName = `${prefix}Address`;
  return [
    { name: `${prefix}Street`, label: `${label} Street`, type: "textarea", compoundFieldName },
    { name: `${prefix}City`, label: `${label} City`, type: "string", length: 40, compoundFieldName },
    {
      name: `${prefix}State`,
      label: `${label} State/Province`,
      type: "string",
      length: 80,
      compoundFieldName,
    },
    {
      name: `${prefix}PostalCode`,
      label: `${label} Zip/Postal Code`,
      type: "string",
      length: 20,
      compoundFieldName,
    },
    { name: `${prefix}Country`, label: `${label} Country`, type: "string", length: 80, compoundFieldName },
    {
      name: compoundFieldName,
      label: `${label} Address`,
      type: "address",
      createable: false,
      updateable: false,
    },
  ];
}

export const INDUSTRIES = [
  "Technology",
  "Banking",
  "Healthcare",
  "Retail",
  "Manufacturing",
  "Education",
  "Energy",
] as const;
export const STAGES = [
  "Prospecting",
  "Qualification",
  "Needs Analysis",
  "Proposal/Price Quote",
  "Negotiation/Review",
  "Closed Won",
  "Closed Lost",
] as const;
export const CHANNELS = ["Email", "Phone", "In person"] as const;
export const TIERS = ["Gold", "Silver", "Bronze"] as const;

/** OpportunityStage's fields: setup data, read-only through the API. */
const STAGE_FIELDS = (
  [
    { name: "MasterLabel", label: "Master Label", type: "string", length: 255, nillable: false },
    { name: "ApiName", label: "Api Name", type: "string", length: 255, nillable: false },
    { name: "IsActive", label: "Is Active", type: "boolean", nillable: false },
    { name: "IsClosed", label: "Closed", type: "boolean", nillable: false },
    { name: "IsWon", label: "Won", type: "boolean", nillable: false },
    { name: "SortOrder", label: "Sort Order", type: "int" },
    { name: "DefaultProbability", label: "Probability (%)", type: "percent" },
  ] satisfies FieldSpec[]
).map((field): FieldSpec => ({ ...field, createable: false, updateable: false }));

const OBJECTS: readonly ObjectSpec[] = [
  {
    name: "Account",
    label: "Account",
    labelPlural: "Accounts",
    keyPrefix: "001",
    deletable: true,
    hasIsDeleted: true,
    addresses: { BillingAddress: "Billing" },
    fields: [
      { name: "Name", label: "Account Name", type: "string", length: 255, nillable: false },
      { name: "Industry", label: "Industry", type: "picklist", picklist: INDUSTRIES },
      { name: "Website", label: "Website", type: "url", length: 255 },
      { name: "Phone", label: "Account Phone", type: "phone", length: 40 },
      { name: "NumberOfEmployees", label: "Employees", type: "int" },
      ...addressParts("Billing", "Billing"),
      OWNER,
      { name: "Customer_Tier__c", label: "Customer Tier", type: "picklist", picklist: TIERS },
    ],
  },
  {
    name: "Contact",
    label: "Contact",
    labelPlural: "Contacts",
    keyPrefix: "003",
    deletable: true,
    hasIsDeleted: true,
    addresses: { MailingAddress: "Mailing" },
    fields: [
      { name: "FirstName", label: "First Name", type: "string", length: 40 },
      { name: "LastName", label: "Last Name", type: "string", length: 80, nillable: false },
      {
        name: "Name",
        label: "Full Name",
        type: "string",
        length: 121,
        calculated: true,
        createable: false,
        updateable: false,
      },
      { name: "Email", label: "Email", type: "email", length: 80 },
      { name: "Phone", label: "Business Phone", type: "phone", length: 40 },
      { name: "Title", label: "Title", type: "string", length: 128 },
      { name: "AccountId", label: "Account ID", type: "reference", referenceTo: "Account" },
      ...addressParts("Mailing", "Mailing"),
      OWNER,
      { name: "Preferred_Channel__c", label: "Preferred Channel", type: "picklist", picklist: CHANNELS },
      // An External ID field, as orgs define them for upserts (`/composite/sobjects/Contact/Customer_Key__c`).
      { name: "Customer_Key__c", label: "Customer Key", type: "string", length: 80, externalId: true },
    ],
  },
  {
    name: "Opportunity",
    label: "Opportunity",
    labelPlural: "Opportunities",
    keyPrefix: "006",
    deletable: true,
    hasIsDeleted: true,
    addresses: {},
    fields: [
      { name: "Name", label: "Name", type: "string", length: 120, nillable: false },
      { name: "Amount", label: "Amount", type: "currency" },
      { name: "StageName", label: "Stage", type: "picklist", picklist: STAGES, nillable: false },
      { name: "CloseDate", label: "Close Date", type: "date", nillable: false },
      { name: "Probability", label: "Probability (%)", type: "percent" },
      { name: "AccountId", label: "Account ID", type: "reference", referenceTo: "Account" },
      {
        name: "IsClosed",
        label: "Closed",
        type: "boolean",
        calculated: true,
        createable: false,
        updateable: false,
        nillable: false,
      },
      {
        name: "IsWon",
        label: "Won",
        type: "boolean",
        calculated: true,
        createable: false,
        updateable: false,
        nillable: false,
      },
      OWNER,
      { name: "Renewal__c", label: "Renewal", type: "boolean", nillable: false },
    ],
  },
  {
    name: "User",
    label: "User",
    labelPlural: "Users",
    keyPrefix: "005",
    deletable: false,
    hasIsDeleted: false,
    addresses: {},
    fields: [
      { name: "Username", label: "Username", type: "string", length: 80, nillable: false },
      { name: "FirstName", label: "First Name", type: "string", length: 40 },
      { name: "LastName", label: "Last Name", type: "string", length: 80, nillable: false },
      {
        name: "Name",
        label: "Full Name",
        type: "string",
        length: 121,
        calculated: true,
        createable: false,
        updateable: false,
      },
      { name: "Email", label: "Email", type: "email", length: 128, nillable: false },
      { name: "IsActive", label: "Active", type: "boolean", nillable: false },
    ],
  },
  {
    // The opportunity stages: setup data (read-only through the API). `ApiName` is the value an
    // opportunity's StageName holds.
    name: "OpportunityStage",
    label: "Opportunity Stage",
    labelPlural: "Opportunity Stages",
    keyPrefix: "01J",
    deletable: false,
    hasIsDeleted: false,
    readOnly: true,
    addresses: {},
    fields: STAGE_FIELDS,
  },
];

/** An object with every field (system ones first), looked up by name case-insensitively. */
export interface ObjectCatalogEntry extends ObjectSpec {
  allFields: readonly FieldSpec[];
  field(name: string): FieldSpec | undefined;
}

function entry(spec: ObjectSpec): ObjectCatalogEntry {
  const allFields = [...SYSTEM(spec.hasIsDeleted), ...spec.fields];
  const byName = new Map(allFields.map((field) => [field.name.toLowerCase(), field]));
  return { ...spec, allFields, field: (name) => byName.get(name.toLowerCase()) };
}

export const CATALOG: readonly ObjectCatalogEntry[] = OBJECTS.map(entry);
export type ObjectName = "Account" | "Contact" | "Opportunity" | "User" | "OpportunityStage";
export const OBJECT_NAMES = CATALOG.map((object) => object.name) as ObjectName[];

/** The object of that name (case-insensitive, as SOQL and the REST paths take it). */
export function findObject(name: string): ObjectCatalogEntry | undefined {
  const lower = name.toLowerCase();
  return CATALOG.find((object) => object.name.toLowerCase() === lower);
}

export function isCustom(field: FieldSpec): boolean {
  return field.name.endsWith("__c");
}

/** Whether an API write may set the field on create or update. */
export function isWritable(field: FieldSpec, on: "create" | "update"): boolean {
  if (field.calculated) return false;
  return (on === "create" ? field.createable : field.updateable) ?? true;
}

/** Whether a create must give the field. */
export function isRequired(field: FieldSpec): boolean {
  return (
    field.nillable === false &&
    !field.defaultedOnCreate &&
    isWritable(field, "create") &&
    field.type !== "boolean"
  );
}
