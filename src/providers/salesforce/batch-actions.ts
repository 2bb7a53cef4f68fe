/**
 * Salesforce's writes many at a time, as batch actions (`ActionDefinition.batchOf`): the sObject Collections
 * resource (`/composite/sobjects`), up to 200 records a request — create (POST), update (PATCH) and delete
 * (DELETE `?ids=`). Each input is the single action's input; each result is that input's SaveResult or
 * Salesforce's refusal of it, matched by position (Salesforce answers in the order sent). Requests go with
 * `allOrNone: false`, so one refused record never holds back the others. A request refused as a whole (a
 * 400 such as a malformed body) throws, as the single action would: the caller splits the batch.
 *
 * Upserts (PATCH `/composite/sobjects/{object}/{field}`) match on an External ID field, which an org defines
 * itself: each input names the field (`by`) and the record's fields (which set it); a record whose value
 * matches one is updated (`created: false`), else created (`created: true`), so a batch sent again after a
 * crash updates what the first one created. Plain creates have no key: a batch resent after a crash may
 * create again (reverse ETL looks such creates up first: created-records.ts).
 */
import { z } from "zod";
import type { ActionDefinition, BatchItemResult, HttpClient } from "../../core/index.ts";
import { defineBatchAction } from "../kit/index.ts";
import {
  accountInput,
  accountUpdate,
  contactInput,
  contactUpdate,
  deleteById,
  deleteInput,
  opportunityInput,
  opportunityUpdate,
  type SaveResult,
} from "./actions.ts";
import { DATA_PATH } from "./api.ts";

export const SALESFORCE_COLLECTION_MAX = 200;
const COLLECTIONS_PATH = `${DATA_PATH}/composite/sobjects`;

type SObject = "Contact" | "Account" | "Opportunity";
type Fields = Record<string, unknown>;

/** Salesforce's answer: one SaveResult per record, in the order sent. */
const saveResults = z.array(
  z.looseObject({
    id: z.string().nullish(),
    success: z.boolean(),
    errors: z.array(z.looseObject({ statusCode: z.string(), message: z.string() })),
  }),
);

/** Refusals that mean the record is not there (the single routes answer these 404). */
const MISSING = new Set(["NOT_FOUND", "ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY_ON_DELETE"]);

/** One result per input: its SaveResult (id as sent for updates and deletes), or Salesforce's refusal. */
function resultsOf(body: unknown, ids: readonly (string | undefined)[]): BatchItemResult[] {
  const replies = saveResults.parse(body);
  return ids.map((sentId, index): BatchItemResult => {
    const reply = replies[index];
    if (!reply)
      return { ok: false, status: 502, message: "Salesforce's answer did not mention this record." };
    if (reply.success) {
      const output: SaveResult & { created?: boolean } = {
        id: reply.id ?? sentId ?? "",
        success: true,
        errors: [],
        // An upsert says whether it created the record or updated one.
        ...(typeof reply.created === "boolean" ? { created: reply.created } : {}),
      };
      return { ok: true, output };
    }
    const missing = reply.errors.some((error) => MISSING.has(error.statusCode));
    return {
      ok: false,
      status: missing ? 404 : 400,
      message: reply.errors.map((error) => error.message).join("; ") || "Salesforce refused the record.",
    };
  });
}

function batchAction<I>(
  name: string,
  description: string,
  of: string,
  input: z.ZodType<I>,
  run: (http: HttpClient, inputs: I[]) => Promise<BatchItemResult[]>,
): ActionDefinition {
  return defineBatchAction({ name, description, of, input, maxInputs: SALESFORCE_COLLECTION_MAX, run });
}

function createBatch(object: SObject, plural: string, input: z.ZodType<Fields>) {
  return batchAction(
    `batch_create_${plural}`,
    `Create up to ${SALESFORCE_COLLECTION_MAX} ${object} records in one request`,
    `create_${object.toLowerCase()}`,
    input,
    async (http, inputs) => {
      const records = inputs.map((fields) => ({ attributes: { type: object }, ...fields }));
      const response = await http.request({
        method: "POST",
        path: COLLECTIONS_PATH,
        body: { allOrNone: false, records },
      });
      return resultsOf(
        response.body,
        inputs.map(() => undefined),
      );
    },
  );
}

function updateBatch(object: SObject, plural: string, input: z.ZodType<Fields>) {
  return batchAction(
    `batch_update_${plural}`,
    `Update up to ${SALESFORCE_COLLECTION_MAX} ${object} records in one request`,
    `update_${object.toLowerCase()}`,
    input,
    async (http, inputs) => {
      const records = inputs.map(({ Id, ...fields }) => ({
        attributes: { type: object },
        id: Id,
        ...fields,
      }));
      const response = await http.request({
        method: "PATCH",
        path: COLLECTIONS_PATH,
        body: { allOrNone: false, records },
      });
      return resultsOf(
        response.body,
        inputs.map((i) => String(i.Id)),
      );
    },
  );
}

/**
 * An upsert's input: the External ID field it matches on, and the record's fields (`by` among them). Its
 * example is the record's own, with an External ID field added.
 */
const upsertInput = (record: z.ZodType<Fields>) => {
  const recordExample = (record.meta() as { examples?: Fields[] } | undefined)?.examples?.[0];
  return z.strictObject({ by: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), record }).meta({
    examples: [{ by: "Customer_Key__c", record: { ...recordExample, Customer_Key__c: "C-1" } }],
  });
};

/** The upsert of many records: one request per External ID field named (a reverse-ETL sync names one). */
function upsertBatch(object: SObject, plural: string, input: z.ZodType<Fields>) {
  return batchAction(
    `batch_upsert_${plural}`,
    `Create or update up to ${SALESFORCE_COLLECTION_MAX} ${object} records in one request, matched on an External ID field`,
    `upsert_${object.toLowerCase()}`,
    upsertInput(input),
    async (http, inputs) => {
      const results: BatchItemResult[] = new Array(inputs.length);
      const byField = new Map<string, number[]>();
      inputs.forEach((input, index) => {
        byField.set(input.by, [...(byField.get(input.by) ?? []), index]);
      });
      for (const [field, indexes] of byField) {
        const records = indexes.map((index) => ({ attributes: { type: object }, ...inputs[index]!.record }));
        const response = await http.request({
          method: "PATCH",
          path: `${COLLECTIONS_PATH}/${object}/${field}`,
          body: { allOrNone: false, records },
        });
        const answers = resultsOf(
          response.body,
          indexes.map(() => undefined),
        );
        indexes.forEach((index, at) => {
          results[index] = answers[at]!;
        });
      }
      return results;
    },
  );
}

/** Deletes records by id (any object: Salesforce tells them apart by the id's prefix). */
async function deleteIds(http: HttpClient, ids: readonly string[]): Promise<BatchItemResult[]> {
  const response = await http.request({
    method: "DELETE",
    path: COLLECTIONS_PATH,
    query: { ids: ids.join(","), allOrNone: "false" },
  });
  return resultsOf(response.body, ids);
}

function deleteBatch(object: SObject, plural: string) {
  return batchAction(
    `batch_delete_${plural}`,
    `Delete up to ${SALESFORCE_COLLECTION_MAX} ${object} records in one request (to the recycle bin)`,
    `delete_${object.toLowerCase()}`,
    deleteById,
    (http, inputs) =>
      deleteIds(
        http,
        inputs.map((i) => i.Id),
      ),
  );
}

export const salesforceBatchActions: readonly ActionDefinition[] = [
  createBatch("Contact", "contacts", contactInput as z.ZodType<Fields>),
  createBatch("Account", "accounts", accountInput as z.ZodType<Fields>),
  createBatch("Opportunity", "opportunities", opportunityInput as z.ZodType<Fields>),
  updateBatch("Contact", "contacts", contactUpdate as z.ZodType<Fields>),
  updateBatch("Account", "accounts", accountUpdate as z.ZodType<Fields>),
  updateBatch("Opportunity", "opportunities", opportunityUpdate as z.ZodType<Fields>),
  upsertBatch("Contact", "contacts", contactInput as z.ZodType<Fields>),
  upsertBatch("Account", "accounts", accountInput as z.ZodType<Fields>),
  upsertBatch("Opportunity", "opportunities", opportunityInput as z.ZodType<Fields>),
  deleteBatch("Contact", "contacts"),
  deleteBatch("Account", "accounts"),
  deleteBatch("Opportunity", "opportunities"),
  batchAction(
    "batch_delete_records",
    `Delete up to ${SALESFORCE_COLLECTION_MAX} Contacts, Accounts or Opportunities in one request`,
    "delete_record",
    deleteInput,
    (http, inputs) =>
      deleteIds(
        http,
        inputs.map((i) => i.id),
      ),
  ),
];
