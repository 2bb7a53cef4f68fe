/**
 * Pipedrive's unified writers: Merge's Contact, Account and Opportunity requests as Pipedrive's person,
 * organization and deal actions (actions.ts, API v2), and the saved record back as the v2 record a sync
 * caches. References become Pipedrive's numeric ids (`org_id`, `owner_id`, `stage_id`).
 */
import {
  type ActionCall,
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
  WriteFieldError,
} from "../../../unified/writers.ts";
import { savedRecord } from "../actions.ts";
import { type SearchField, searchPipedrive } from "./search.ts";

type Input = Record<string, unknown>;
type Previous = Readonly<Record<string, unknown>> | undefined;

/** A reference as the numeric id Pipedrive takes; null clears it, undefined leaves it. */
async function numericRef(
  fields: ModelFields,
  field: string,
  model: "Account" | "User" | "Stage",
  ctx: WriteContext,
) {
  const remote = await referenceOf(fields, field, model, ctx);
  if (remote === undefined || remote === null) return remote;
  const id = Number(remote);
  if (!Number.isSafeInteger(id))
    throw new WriteFieldError(field, `\`${field}\` names an object Pipedrive cannot take.`);
  return id;
}

/** Sets `key` from a reference, when the request names one (Pipedrive's actions cannot clear a reference). */
async function copyRef(
  out: Input,
  key: string,
  fields: ModelFields,
  field: string,
  model: "Account" | "User" | "Stage",
  ctx: WriteContext,
) {
  const id = await numericRef(fields, field, model, ctx);
  if (id === null)
    throw new WriteFieldError(field, `Pipedrive writes cannot clear \`${field}\` yet; leave it out.`);
  if (id !== undefined) out[key] = id;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** A person's `name` from first and last names (the request's, else the cached ones). */
function personName(fields: ModelFields, previous: Previous): string | undefined {
  if (!sets(fields, "first_name") && !sets(fields, "last_name")) return undefined;
  const pick = (field: string) => (sets(fields, field) ? text(fields[field]) : text(previous?.[field]));
  const name = [pick("first_name"), pick("last_name")].filter(Boolean).join(" ");
  if (name === "") throw new WriteFieldError("last_name", "A Pipedrive person needs a first or a last name.");
  return name;
}

async function personInput(fields: ModelFields, ctx: WriteContext, previous?: Previous): Promise<Input> {
  const out: Input = {};
  const name = personName(fields, previous);
  if (name !== undefined) out.name = name;
  const email = firstOf(fields.email_addresses, "email_address");
  if (email !== undefined) out.email = email;
  const phone = firstOf(fields.phone_numbers, "phone_number");
  if (phone !== undefined) out.phone = phone;
  await copyRef(out, "org_id", fields, "account", "Account", ctx);
  await copyRef(out, "owner_id", fields, "owner", "User", ctx);
  return out;
}

async function organizationInput(fields: ModelFields, ctx: WriteContext): Promise<Input> {
  const out: Input = {};
  if (sets(fields, "name")) out.name = fields.name;
  await copyRef(out, "owner_id", fields, "owner", "User", ctx);
  return out;
}

const STATUS: Record<string, string> = { OPEN: "open", WON: "won", LOST: "lost" };

async function dealInput(fields: ModelFields, ctx: WriteContext): Promise<Input> {
  const out: Input = {};
  if (sets(fields, "name")) out.title = fields.name;
  if (sets(fields, "amount") && fields.amount !== null) out.value = fields.amount;
  if (sets(fields, "status") && fields.status !== null) out.status = STATUS[String(fields.status)];
  if (sets(fields, "close_date") && fields.close_date !== null) {
    out.expected_close_date = isoTimestampOf("close_date", fields.close_date).slice(0, 10);
  }
  await copyRef(out, "org_id", fields, "account", "Account", ctx);
  await copyRef(out, "owner_id", fields, "owner", "User", ctx);
  await copyRef(out, "stage_id", fields, "stage", "Stage", ctx);
  return out;
}

type Outcome = Parameters<UnifiedWriter["toRecord"]>[0];

/** The cached v2 record after a write: the record before (updates) under what Pipedrive answered. */
function toRecord({ output, previous }: Outcome): Record<string, unknown> {
  return { ...previous, ...savedRecord.parse(output) };
}

/** A person's, with first and last names split from `name` as Pipedrive does, when its answer leaves them out. */
function personToRecord(outcome: Outcome): Record<string, unknown> {
  const record = toRecord(outcome);
  const { name } = outcome.input;
  if (typeof name === "string" && !Object.hasOwn(outcome.output as object, "first_name")) {
    const [first, ...rest] = name.trim().split(/\s+/);
    record.first_name = first ?? null;
    record.last_name = rest.length > 0 ? rest.join(" ") : null;
  }
  return record;
}

/** Existing persons by email, organizations by name, through Pipedrive's search (search.ts). */
function matchBy(
  stream: "persons" | "organizations",
  field: SearchField,
  keyOf: NaturalKeyMatch["keyOf"],
): NaturalKeyMatch {
  return { key: field, keyOf, find: (http, keys) => searchPipedrive(http, stream, field, keys) };
}

function writer(
  model: UnifiedWriter["model"],
  stream: string,
  entity: string,
  fields: readonly string[],
  required: readonly string[],
  build: (fields: ModelFields, ctx: WriteContext, previous?: Previous) => Promise<Input>,
  cached: (outcome: Outcome) => Record<string, unknown> = toRecord,
  match?: NaturalKeyMatch,
): UnifiedWriter {
  return {
    provider: "pipedrive",
    model,
    stream,
    fields,
    required,
    async create(modelFields, ctx): Promise<ActionCall> {
      requireFields(modelFields, required, `a Pipedrive ${entity}`);
      return { action: `create_${entity}`, input: await build(modelFields, ctx) };
    },
    async update(remoteId, modelFields, ctx, previous): Promise<ActionCall> {
      return {
        action: `update_${entity}`,
        input: { id: Number(remoteId), ...(await build(modelFields, ctx, previous)) },
      };
    },
    toRecord: cached,
    delete: (remoteId) => ({ action: `delete_${entity}`, input: { id: Number(remoteId) } }),
    ...(match ? { match } : {}),
  };
}

export const pipedriveWriters: readonly UnifiedWriter[] = [
  writer(
    "Contact",
    "persons",
    "person",
    ["first_name", "last_name", "email_addresses", "phone_numbers", "account", "owner"],
    ["last_name"],
    personInput,
    personToRecord,
    matchBy("persons", "email", emailKeyOf),
  ),
  writer(
    "Account",
    "organizations",
    "organization",
    ["name", "owner"],
    ["name"],
    organizationInput,
    toRecord,
    matchBy("organizations", "name", nameKeyOf),
  ),
  writer(
    "Opportunity",
    "deals",
    "deal",
    ["name", "amount", "status", "close_date", "account", "owner", "stage"],
    ["name"],
    dealInput,
  ),
];
