/**
 * HubSpot's batch writes as batch actions (`ActionDefinition.batchOf`): up to 100 records per request through
 * `POST /crm/v3/objects/{type}/batch/create|update|upsert|archive`. Each input is the single action's input;
 * each result is that input's record or HubSpot's refusal of it. Results are matched to inputs by
 * `objectWriteTraceId` (HubSpot answers in no guaranteed order); a 207's `errors[]` name the failed inputs by
 * trace id or by record id (`context.ids`). A request HubSpot refuses as a whole (400, 409) throws, as the
 * single action would: the caller splits the batch to find the input at fault.
 *
 * `batch_upsert_contacts` creates like `create_contact`, but a contact whose email exists is updated instead
 * (`idProperty: "email"`): a batch sent twice (a retry after a crash) never creates a contact twice.
 */
import { z } from "zod";
import type { ActionDefinition, BatchItemResult, HttpClient } from "../../core/index.ts";
import { defineBatchAction } from "../kit/index.ts";
import {
  companyInput,
  companyUpdate,
  contactInput,
  contactUpdate,
  dealInput,
  dealUpdate,
  hubspotId,
  savedObject,
} from "./actions.ts";

export const HUBSPOT_BATCH_MAX = 100;

type ObjectType = "contacts" | "companies" | "deals";
type Properties = Record<string, string | number | boolean | null>;
type CreateInput = { properties: Properties; company_id?: string | undefined };
type UpdateInput = CreateInput & { id: string };

const batchReply = z.looseObject({
  results: z.array(savedObject.extend({ objectWriteTraceId: z.string().optional() })),
  errors: z
    .array(
      z.looseObject({
        category: z.string().optional(),
        message: z.string(),
        context: z.record(z.string(), z.array(z.string())).optional(),
      }),
    )
    .optional(),
});

const PRIMARY_COMPANY_ASSOCIATION: Partial<Record<ObjectType, number>> = { contacts: 1, deals: 5 };

function associationsOf(type: ObjectType, companyId: string | undefined) {
  const typeId = PRIMARY_COMPANY_ASSOCIATION[type];
  if (companyId === undefined || typeId === undefined) return undefined;
  return [
    { to: { id: companyId }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: typeId }] },
  ];
}

/**
 * Sends one batch request whose inputs carry `objectWriteTraceId` = their index, and answers one result per
 * input: the record whose trace id (or, for ids HubSpot reports missing, whose id) is the input's.
 */
async function sendBatch(
  http: HttpClient,
  path: string,
  inputs: readonly Record<string, unknown>[],
  idOf: (index: number) => string | undefined,
): Promise<BatchItemResult[]> {
  const response = await http.request({
    method: "POST",
    path,
    body: { inputs: inputs.map((input, index) => ({ ...input, objectWriteTraceId: String(index) })) },
  });
  const reply = batchReply.parse(response.body);
  const results: (BatchItemResult | undefined)[] = inputs.map(() => undefined);
  for (const record of reply.results) {
    const index = Number(record.objectWriteTraceId);
    if (Number.isInteger(index) && index >= 0 && index < inputs.length) {
      const { objectWriteTraceId: _trace, ...output } = record;
      results[index] = { ok: true, output };
    }
  }
  for (const error of reply.errors ?? []) {
    const traced = error.context?.objectWriteTraceId ?? [];
    const ids = new Set(error.context?.ids ?? []);
    const status = error.category === "OBJECT_NOT_FOUND" ? 404 : 400;
    inputs.forEach((_input, index) => {
      if (traced.includes(String(index)) || ids.has(idOf(index) ?? "")) {
        results[index] = { ok: false, status, message: error.message };
      }
    });
  }
  return results.map(
    (result) =>
      result ?? { ok: false, status: 502, message: "HubSpot's batch answer did not mention this input." },
  );
}

function batchAction<I>(
  name: string,
  description: string,
  of: string,
  input: z.ZodType<I>,
  run: (http: HttpClient, inputs: I[]) => Promise<BatchItemResult[]>,
  idempotentBy?: string,
): ActionDefinition {
  return defineBatchAction({
    name,
    description,
    of,
    input,
    maxInputs: HUBSPOT_BATCH_MAX,
    run,
    ...(idempotentBy ? { idempotentBy } : {}),
  });
}

function createBatch(type: ObjectType, singular: string, input: z.ZodType<CreateInput>) {
  return batchAction(
    `batch_create_${type}`,
    `Create up to ${HUBSPOT_BATCH_MAX} ${type} in one request`,
    `create_${singular}`,
    input,
    (http, inputs) =>
      sendBatch(
        http,
        `/crm/v3/objects/${type}/batch/create`,
        inputs.map((i) => {
          const associations = associationsOf(type, i.company_id);
          return { properties: i.properties, ...(associations ? { associations } : {}) };
        }),
        () => undefined,
      ),
  );
}

function updateBatch(type: ObjectType, singular: string, input: z.ZodType<UpdateInput>) {
  return batchAction(
    `batch_update_${type}`,
    `Update up to ${HUBSPOT_BATCH_MAX} ${type} in one request`,
    `update_${singular}`,
    input,
    async (http, inputs) => {
      const results = await sendBatch(
        http,
        `/crm/v3/objects/${type}/batch/update`,
        inputs.map((i) => ({ id: i.id, properties: i.properties })),
        (index) => inputs[index]?.id,
      );
      // Batch update takes no associations: a company is added per record, as update_* does.
      for (const [index, i] of inputs.entries()) {
        if (i.company_id === undefined || !results[index]?.ok) continue;
        await http.request({
          method: "PUT",
          path: `/crm/v4/objects/${type}/${i.id}/associations/default/companies/${i.company_id}`,
        });
      }
      return results;
    },
  );
}

function archiveBatch(type: ObjectType, singular: string) {
  return batchAction(
    `batch_archive_${type}`,
    `Archive up to ${HUBSPOT_BATCH_MAX} ${type} in one request (HubSpot's delete)`,
    `archive_${singular}`,
    z.strictObject({ id: hubspotId }).meta({ examples: [{ id: "101" }] }),
    async (http, inputs) => {
      // HubSpot answers 204 whether or not each record existed: every input is archived afterwards.
      await http.request({
        method: "POST",
        path: `/crm/v3/objects/${type}/batch/archive`,
        body: { inputs: inputs.map((i) => ({ id: i.id })) },
      });
      return inputs.map((i) => ({ ok: true as const, output: { id: i.id, archived: true } }));
    },
  );
}

/** Contacts with an email are upserted by it; the others are created. One result per input, in order. */
const upsertContacts = batchAction(
  "batch_upsert_contacts",
  `Create up to ${HUBSPOT_BATCH_MAX} contacts, updating instead the contact that has the same email`,
  "create_contact",
  contactInput,
  async (http, inputs) => {
    const email = (i: CreateInput) => {
      const value = i.properties.email;
      return typeof value === "string" && value.trim() !== "" ? value : undefined;
    };
    const keyed = inputs.flatMap((i, index) => (email(i) ? [index] : []));
    const plain = inputs.flatMap((i, index) => (email(i) ? [] : [index]));
    const results: BatchItemResult[] = new Array(inputs.length);
    if (keyed.length > 0) {
      const upserted = await sendBatch(
        http,
        "/crm/v3/objects/contacts/batch/upsert",
        keyed.map((index) => ({
          id: email(inputs[index]!),
          idProperty: "email",
          properties: inputs[index]!.properties,
        })),
        () => undefined,
      );
      keyed.forEach((index, at) => {
        results[index] = upserted[at]!;
      });
      // Upserts take no associations: a company is added per record, as update_contact does.
      for (const index of keyed) {
        const result = results[index]!;
        const company = inputs[index]!.company_id;
        if (!result.ok || company === undefined) continue;
        const id = (result.output as { id: string }).id;
        await http.request({
          method: "PUT",
          path: `/crm/v4/objects/contacts/${id}/associations/default/companies/${company}`,
        });
      }
    }
    if (plain.length > 0) {
      const created = await sendBatch(
        http,
        "/crm/v3/objects/contacts/batch/create",
        plain.map((index) => {
          const associations = associationsOf("contacts", inputs[index]!.company_id);
          return { properties: inputs[index]!.properties, ...(associations ? { associations } : {}) };
        }),
        () => undefined,
      );
      plain.forEach((index, at) => {
        results[index] = created[at]!;
      });
    }
    return results;
  },
  "properties.email",
);

export const hubspotBatchActions: readonly ActionDefinition[] = [
  createBatch("contacts", "contact", contactInput),
  createBatch("companies", "company", companyInput),
  createBatch("deals", "deal", dealInput),
  upsertContacts,
  updateBatch("contacts", "contact", contactUpdate),
  updateBatch("companies", "company", companyUpdate),
  updateBatch("deals", "deal", dealUpdate),
  archiveBatch("contacts", "contact"),
  archiveBatch("companies", "company"),
  archiveBatch("deals", "deal"),
];
