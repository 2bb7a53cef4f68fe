/**
 * HubSpot's unified writers: Merge's Contact, Account and Opportunity requests as HubSpot's create and update
 * actions (actions.ts) on contacts, companies and deals, and the answer back as the record a sync caches
 * (properties flattened beside `id`, `createdAt`, `updatedAt`, `archived`, and `companyIds`), the inverse
 * of the read mappers beside this file.
 */
import {
  type ActionCall,
  copyField,
  firstOf,
  isoTimestampOf,
  type ModelFields,
  type NaturalKeyMatch,
  nameKeyOf,
  referenceOf,
  requireFields,
  sets,
  type UnifiedWriter,
  type WriteContext,
  WriteFieldError,
} from "../../../unified/writers.ts";
import { savedObject } from "../actions.ts";
import { findCompaniesByName } from "./search.ts";

type Properties = Record<string, string | number | null>;
type ObjectType = "contacts" | "companies" | "deals";

const copy = copyField<Properties>;

/** The first address, as HubSpot's one set of address properties. */
function copyAddress(out: Properties, fields: ModelFields) {
  if (!sets(fields, "addresses")) return;
  const [address] = (Array.isArray(fields.addresses) ? fields.addresses : []) as Record<string, unknown>[];
  const parts: [string, string][] = [
    ["street_1", "address"],
    ["street_2", "address2"],
    ["city", "city"],
    ["state", "state"],
    ["postal_code", "zip"],
    ["country", "country"],
  ];
  // Only the parts the address has: HubSpot portals need not have every address property.
  for (const [from, to] of parts) {
    const value = address?.[from];
    if (typeof value === "string" && value !== "") out[to] = value;
  }
}

/** `hubspot_owner_id` from `owner`: a User of the connection (HubSpot's owners). */
async function copyOwner(out: Properties, fields: ModelFields, ctx: WriteContext) {
  const owner = await referenceOf(fields, "owner", "User", ctx);
  if (owner !== undefined) out.hubspot_owner_id = owner;
}

/** A company's domain from Merge's `website` (HubSpot fills `website` from the domain). */
function domainOf(website: unknown): string {
  const text = String(website).trim();
  try {
    return new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`).hostname;
  } catch {
    throw new WriteFieldError("website", `\`website\` "${text.slice(0, 100)}" is not a web address.`);
  }
}

/** A date-time as HubSpot's datetime properties take it (ISO 8601). */
const isoOf = (field: string) => (value: unknown) => isoTimestampOf(field, value);

async function contactProperties(fields: ModelFields, ctx: WriteContext): Promise<Properties> {
  const out: Properties = {};
  copy(out, fields, "first_name", "firstname");
  copy(out, fields, "last_name", "lastname");
  if (sets(fields, "email_addresses")) out.email = firstOf(fields.email_addresses, "email_address") ?? null;
  if (sets(fields, "phone_numbers")) {
    const mobile = (item: Record<string, unknown>) =>
      String(item.phone_number_type ?? "").toLowerCase() === "mobile";
    const phone = firstOf(fields.phone_numbers, "phone_number", (item) => !mobile(item));
    const mobilePhone = firstOf(fields.phone_numbers, "phone_number", mobile);
    if (phone !== undefined || mobilePhone === undefined) out.phone = phone ?? null;
    if (mobilePhone !== undefined) out.mobilephone = mobilePhone;
  }
  copyAddress(out, fields);
  await copyOwner(out, fields, ctx);
  return out;
}

async function companyProperties(fields: ModelFields, ctx: WriteContext): Promise<Properties> {
  const out: Properties = {};
  copy(out, fields, "name", "name");
  copy(out, fields, "description", "description");
  copy(out, fields, "industry", "industry");
  copy(out, fields, "website", "domain", domainOf);
  copy(out, fields, "number_of_employees", "numberofemployees");
  copyAddress(out, fields);
  await copyOwner(out, fields, ctx);
  return out;
}

/** The default pipeline's closed stages, for a `status` without a `stage`. */
const STAGE_OF_STATUS: Record<string, string | undefined> = { WON: "closedwon", LOST: "closedlost" };

async function dealProperties(fields: ModelFields, ctx: WriteContext): Promise<Properties> {
  const out: Properties = {};
  copy(out, fields, "name", "dealname");
  copy(out, fields, "description", "description");
  copy(out, fields, "amount", "amount");
  copy(out, fields, "close_date", "closedate", isoOf("close_date"));
  const stage = await referenceOf(fields, "stage", "Stage", ctx);
  if (stage !== undefined) out.dealstage = stage;
  else if (sets(fields, "status")) {
    const closed = STAGE_OF_STATUS[String(fields.status)];
    if (closed) out.dealstage = closed;
  }
  await copyOwner(out, fields, ctx);
  return out;
}

/** `company_id` from `account`, for contacts and deals (HubSpot associates them with companies). */
async function companyOf(fields: ModelFields, ctx: WriteContext): Promise<{ company_id?: string }> {
  const account = await referenceOf(fields, "account", "Account", ctx);
  if (account === null) {
    throw new WriteFieldError(
      "account",
      "HubSpot writes cannot remove a record's company yet; leave `account` out or name an account.",
    );
  }
  return account === undefined ? {} : { company_id: account };
}

/** The cached record after a write: the record before (updates), the properties HubSpot answered, the company. */
function toRecord(type: ObjectType) {
  return ({ output, input, previous }: Parameters<UnifiedWriter["toRecord"]>[0]) => {
    const saved = savedObject.parse(output);
    const record: Record<string, unknown> = { ...previous, ...saved.properties };
    record.id = saved.id;
    record.createdAt = previous?.createdAt ?? saved.createdAt;
    record.updatedAt = saved.updatedAt;
    record.archived = false;
    if (type !== "companies") {
      const before = Array.isArray(previous?.companyIds) ? (previous.companyIds as string[]) : [];
      const company = typeof input.company_id === "string" ? input.company_id : undefined;
      record.companyIds = company ? [company, ...before.filter((id) => id !== company)] : before;
    }
    return record;
  };
}

function writer(
  model: UnifiedWriter["model"],
  type: ObjectType,
  singular: string,
  fields: readonly string[],
  required: readonly string[],
  properties: (fields: ModelFields, ctx: WriteContext) => Promise<Properties>,
  match?: NaturalKeyMatch,
): UnifiedWriter {
  const withCompany = type !== "companies";
  const build = async (modelFields: ModelFields, ctx: WriteContext) => ({
    properties: await properties(modelFields, ctx),
    ...(withCompany ? await companyOf(modelFields, ctx) : {}),
  });
  return {
    provider: "hubspot",
    model,
    stream: type,
    fields,
    required,
    async create(modelFields, ctx): Promise<ActionCall> {
      requireFields(modelFields, required, `a HubSpot ${singular}`);
      return { action: `create_${singular}`, input: await build(modelFields, ctx) };
    },
    async update(remoteId, modelFields, ctx): Promise<ActionCall> {
      return { action: `update_${singular}`, input: { id: remoteId, ...(await build(modelFields, ctx)) } };
    },
    toRecord: toRecord(type),
    delete: (remoteId) => ({ action: `archive_${singular}`, input: { id: remoteId } }),
    ...(match ? { match } : {}),
  };
}

export const hubspotWriters: readonly UnifiedWriter[] = [
  writer(
    "Contact",
    "contacts",
    "contact",
    ["first_name", "last_name", "account", "owner", "addresses", "email_addresses", "phone_numbers"],
    [],
    contactProperties,
  ),
  writer(
    "Account",
    "companies",
    "company",
    ["name", "description", "industry", "website", "number_of_employees", "addresses", "owner"],
    ["name"],
    companyProperties,
    // Companies by name through the search API; contacts need no lookup (creates upsert by email).
    { key: "name", keyOf: nameKeyOf, find: findCompaniesByName },
  ),
  writer(
    "Opportunity",
    "deals",
    "deal",
    ["name", "description", "amount", "close_date", "stage", "status", "account", "owner"],
    ["name"],
    dealProperties,
  ),
];
