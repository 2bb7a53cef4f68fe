/**
 * Salesforce's unified writers: Merge's Contact, Account and Opportunity requests as Salesforce's sObject
 * create and update actions (actions.ts), with Salesforce's field names; the written fields back as the
 * record a sync caches (Salesforce answers a write with the Id only). A stage is named by its API name.
 */
import {
  type ActionCall,
  copyField,
  emailKeyOf,
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
} from "../../../unified/writers.ts";
import { saveResult } from "../actions.ts";
import { findIdsByField } from "../lookup.ts";

type Input = Record<string, unknown>;

const copy = copyField<Input>;

async function copyRef(
  out: Input,
  key: string,
  fields: ModelFields,
  field: string,
  model: "Account" | "User" | "Stage",
  ctx: WriteContext,
) {
  const id = await referenceOf(fields, field, model, ctx);
  if (id !== undefined) out[key] = id;
}

/** The first address as one of Salesforce's compound addresses (`Mailing`, `Billing`). */
function copyAddress(out: Input, fields: ModelFields, prefix: string) {
  if (!sets(fields, "addresses")) return;
  const [address] = (Array.isArray(fields.addresses) ? fields.addresses : []) as Record<string, unknown>[];
  const part = (name: string) =>
    typeof address?.[name] === "string" && address[name] !== "" ? address[name] : null;
  const street = [part("street_1"), part("street_2")].filter((line) => line !== null).join("\n");
  out[`${prefix}Street`] = street === "" ? null : street;
  out[`${prefix}City`] = part("city");
  out[`${prefix}State`] = part("state");
  out[`${prefix}PostalCode`] = part("postal_code");
  out[`${prefix}Country`] = part("country");
}

async function contactInput(fields: ModelFields, ctx: WriteContext): Promise<Input> {
  const out: Input = {};
  copy(out, fields, "first_name", "FirstName");
  copy(out, fields, "last_name", "LastName");
  if (sets(fields, "email_addresses")) out.Email = firstOf(fields.email_addresses, "email_address") ?? null;
  if (sets(fields, "phone_numbers")) out.Phone = firstOf(fields.phone_numbers, "phone_number") ?? null;
  copyAddress(out, fields, "Mailing");
  await copyRef(out, "AccountId", fields, "account", "Account", ctx);
  await copyRef(out, "OwnerId", fields, "owner", "User", ctx);
  return out;
}

async function accountInput(fields: ModelFields, ctx: WriteContext): Promise<Input> {
  const out: Input = {};
  copy(out, fields, "name", "Name");
  copy(out, fields, "industry", "Industry");
  copy(out, fields, "website", "Website");
  copy(out, fields, "number_of_employees", "NumberOfEmployees");
  copyAddress(out, fields, "Billing");
  await copyRef(out, "OwnerId", fields, "owner", "User", ctx);
  return out;
}

/** Salesforce's default closed stages, for a `status` without a `stage`. */
const STAGE_OF_STATUS: Record<string, string | undefined> = { WON: "Closed Won", LOST: "Closed Lost" };

async function opportunityInput(fields: ModelFields, ctx: WriteContext): Promise<Input> {
  const out: Input = {};
  copy(out, fields, "name", "Name");
  copy(out, fields, "amount", "Amount");
  copy(out, fields, "close_date", "CloseDate", (value) => isoTimestampOf("close_date", value).slice(0, 10));
  await copyRef(out, "StageName", fields, "stage", "Stage", ctx);
  const closed = STAGE_OF_STATUS[String(fields.status)];
  if (out.StageName === undefined && closed) out.StageName = closed;
  await copyRef(out, "AccountId", fields, "account", "Account", ctx);
  await copyRef(out, "OwnerId", fields, "owner", "User", ctx);
  return out;
}

/** The cached record after a write: the record before (updates) with the fields written, under its Id. */
function toRecord({
  output,
  input,
  previous,
}: Parameters<UnifiedWriter["toRecord"]>[0]): Record<string, unknown> {
  const { Id: _id, ...written } = input;
  return { IsDeleted: false, ...previous, ...written, Id: saveResult.parse(output).id };
}

/** Existing records by a field's value, through SOQL (lookup.ts): many keys a query. */
function matchBy(
  object: string,
  field: string,
  key: string,
  keyOf: NaturalKeyMatch["keyOf"],
): NaturalKeyMatch {
  return { key, keyOf, find: (http, keys) => findIdsByField(http, object, field, keys) };
}

function writer(
  model: UnifiedWriter["model"],
  stream: string,
  object: string,
  fields: readonly string[],
  required: readonly string[],
  build: (fields: ModelFields, ctx: WriteContext) => Promise<Input>,
  match?: NaturalKeyMatch,
): UnifiedWriter {
  const action = object.toLowerCase();
  return {
    provider: "salesforce",
    model,
    stream,
    fields,
    required,
    async create(modelFields, ctx): Promise<ActionCall> {
      requireFields(modelFields, required, `a Salesforce ${object}`);
      return { action: `create_${action}`, input: await build(modelFields, ctx) };
    },
    async update(remoteId, modelFields, ctx): Promise<ActionCall> {
      return { action: `update_${action}`, input: { Id: remoteId, ...(await build(modelFields, ctx)) } };
    },
    toRecord,
    // Into the recycle bin (`DELETE /sobjects/{object}/{id}`, batched as sObject Collections deletes).
    delete: (remoteId) => ({ action: `delete_${action}`, input: { Id: remoteId } }),
    ...(match ? { match } : {}),
  };
}

export const salesforceWriters: readonly UnifiedWriter[] = [
  writer(
    "Contact",
    "contacts",
    "Contact",
    ["first_name", "last_name", "email_addresses", "phone_numbers", "addresses", "account", "owner"],
    ["last_name"],
    contactInput,
    matchBy("Contact", "Email", "email", emailKeyOf),
  ),
  writer(
    "Account",
    "accounts",
    "Account",
    ["name", "industry", "website", "number_of_employees", "addresses", "owner"],
    ["name"],
    accountInput,
    matchBy("Account", "Name", "name", nameKeyOf),
  ),
  writer(
    "Opportunity",
    "opportunities",
    "Opportunity",
    ["name", "amount", "close_date", "stage", "status", "account", "owner"],
    ["name", "stage", "close_date"],
    opportunityInput,
  ),
];
