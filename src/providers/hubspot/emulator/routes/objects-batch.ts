/**
 * CRM v3 batch object endpoints: read, create, update, upsert and archive, up to 100 inputs each.
 * Creates are all-or-nothing (one bad input refuses the batch, as HubSpot does); reads and updates
 * report ids they cannot find under `errors` with status 207.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { type BatchError, batchReply } from "../batch.ts";
import { OBJECT_SPECS, type ObjectTypeName } from "../catalog.ts";
import { archivedParam, type EmulatorContext, objectTypeParam } from "../context.ts";
import type { Dataset } from "../dataset.ts";
import { validationError } from "../errors.ts";
import type { PropertyValues } from "../generate.ts";
import { findRecordId, idPropertyParam, OBJECT_ID_PROPERTY, uniqueProperties } from "../object-lookup.ts";
import {
  companyAssociation,
  createInputSchema,
  EmailClaims,
  parseBody,
  propertiesSchema,
  writableValues,
} from "../object-writes.ts";
import { selectProperties, toApiObject } from "../serialize.ts";

export const MAX_OBJECT_BATCH_INPUTS = 100;

const idSchema = z.union([z.string(), z.number()]).transform(String);
const inputs = <T extends z.ZodTypeAny>(item: T) =>
  z.array(item).max(MAX_OBJECT_BATCH_INPUTS, `a batch takes at most ${MAX_OBJECT_BATCH_INPUTS} inputs`);

const readSchema = z.object({
  inputs: inputs(z.object({ id: idSchema })),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});
const createSchema = z.object({ inputs: inputs(createInputSchema) });
const updateSchema = z.object({
  inputs: inputs(
    z.object({
      id: idSchema,
      idProperty: z.string().optional(),
      properties: propertiesSchema,
      objectWriteTraceId: z.string().optional(),
    }),
  ),
});
const archiveSchema = z.object({ inputs: inputs(z.object({ id: idSchema })) });

type BatchRequest = FastifyRequest<{
  Params: { objectType: string };
  Querystring: Record<string, string | string[] | undefined>;
}>;

/** Registers `/crm/v3/objects/{type}/batch/*`. */
export function objectBatchRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;

  app.post("/crm/v3/objects/:objectType/batch/read", async (request: BatchRequest, reply) => {
    const startedAt = new Date().toISOString();
    const type = objectTypeParam(request.params.objectType);
    const body = parseBody(readSchema, request.body);
    const archived = archivedParam(request.query.archived);
    const idProperty = idPropertyParam(dataset, type, body.idProperty);
    const names = selectProperties(dataset, type, body.properties ?? []);
    const found = new Set<number>();
    const missing: string[] = [];
    for (const { id: value } of body.inputs) {
      const id = findRecordId(dataset, type, idProperty, value, archived);
      if (id === undefined) missing.push(value);
      else found.add(id);
    }
    const table = dataset.table(type);
    const results = [...found].map((id) => toApiObject(dataset, type, table.get(id)!, names));
    const { statusCode, body: out } = batchReply(results, notFound(type, missing), startedAt);
    return reply.code(statusCode).send(out);
  });

  app.post("/crm/v3/objects/:objectType/batch/create", async (request: BatchRequest, reply) => {
    const startedAt = new Date().toISOString();
    const type = objectTypeParam(request.params.objectType);
    const body = parseBody(createSchema, request.body);
    // Check every input before writing any, so a refused batch leaves no trace.
    const emails = new EmailClaims(dataset, type);
    const planned = body.inputs.map((input) => {
      const values = writableValues(dataset, type, input.properties);
      emails.claim(values);
      return { input, values, companyId: companyAssociation(dataset, type, input.associations) };
    });
    const results = planned.map(({ input, values, companyId }) =>
      written(dataset, type, dataset.createRecord(type, values, companyId).id, values, input),
    );
    const { statusCode, body: out } = batchReply(results, [], startedAt, 201);
    return reply.code(statusCode).send(out);
  });

  app.post("/crm/v3/objects/:objectType/batch/update", async (request: BatchRequest, reply) => {
    const startedAt = new Date().toISOString();
    const type = objectTypeParam(request.params.objectType);
    const body = parseBody(updateSchema, request.body);
    const emails = new EmailClaims(dataset, type);
    const planned = body.inputs.map((input) => {
      const id = findRecordId(dataset, type, idPropertyParam(dataset, type, input.idProperty), input.id);
      const values = writableValues(dataset, type, input.properties);
      if (id !== undefined) emails.claim(values, id);
      return { input, id, values };
    });
    const missing = planned.filter((plan) => plan.id === undefined).map((plan) => plan.input.id);
    const results = planned.flatMap(({ input, id, values }) => {
      if (id === undefined) return [];
      dataset.updateRecord(type, id, values);
      return [written(dataset, type, id, values, input)];
    });
    const { statusCode, body: out } = batchReply(results, notFound(type, missing), startedAt);
    return reply.code(statusCode).send(out);
  });

  app.post("/crm/v3/objects/:objectType/batch/upsert", async (request: BatchRequest, reply) => {
    const startedAt = new Date().toISOString();
    const type = objectTypeParam(request.params.objectType);
    const body = parseBody(updateSchema, request.body);
    const emails = new EmailClaims(dataset, type);
    const targets = new Set<string>();
    const planned = body.inputs.map((input) => {
      const idProperty = upsertIdProperty(dataset, type, input.idProperty);
      const target = `${idProperty}=${idProperty === "email" ? input.id.toLowerCase() : input.id}`;
      if (targets.has(target))
        throw validationError(`Two inputs of the batch upsert the same record (${target}).`);
      targets.add(target);
      const id = findRecordId(dataset, type, idProperty, input.id);
      // A new record holds the identifying value in its idProperty.
      const values = {
        ...writableValues(dataset, type, input.properties),
        ...(id === undefined ? { [idProperty]: input.id } : {}),
      };
      emails.claim(values, id);
      return { input, values, id };
    });
    const results = planned.map(({ input, values, id }) => {
      if (id !== undefined) {
        dataset.updateRecord(type, id, values);
        return { ...written(dataset, type, id, values, input), new: false };
      }
      const created = dataset.createRecord(type, values);
      return { ...written(dataset, type, created.id, values, input), new: true };
    });
    const { statusCode, body: out } = batchReply(results, [], startedAt);
    return reply.code(statusCode).send(out);
  });

  app.post("/crm/v3/objects/:objectType/batch/archive", async (request: BatchRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const body = parseBody(archiveSchema, request.body);
    for (const { id: value } of body.inputs) {
      const id = findRecordId(dataset, type, OBJECT_ID_PROPERTY, value);
      // Like the single archive: 204 whether or not the record existed.
      if (id !== undefined) dataset.archiveRecord(type, id);
    }
    return reply.code(204).send();
  });
}

/** Upserts need a unique property other than the object id: a new record cannot choose its id. */
function upsertIdProperty(dataset: Dataset, type: ObjectTypeName, raw: string | undefined): string {
  if (raw === undefined || raw === "" || raw === OBJECT_ID_PROPERTY) {
    throw validationError(
      `Batch upsert needs each input's idProperty to name a unique property other than ${OBJECT_ID_PROPERTY} (for ${type}: ${upsertKeys(dataset, type)}).`,
    );
  }
  return idPropertyParam(dataset, type, raw);
}

function upsertKeys(dataset: Dataset, type: ObjectTypeName): string {
  const names = uniqueProperties(dataset, type).filter((name) => name !== OBJECT_ID_PROPERTY);
  return names.length > 0 ? names.join(", ") : "none yet; create a property with hasUniqueValue: true";
}

/** A written record as batch writes return it: the written properties, and the caller's trace id. */
function written(
  dataset: Dataset,
  type: ObjectTypeName,
  id: number,
  values: PropertyValues,
  input: { objectWriteTraceId?: string | undefined },
) {
  const record = dataset.table(type).get(id)!;
  const object = toApiObject(dataset, type, record, selectProperties(dataset, type, Object.keys(values)));
  return input.objectWriteTraceId === undefined
    ? object
    : { ...object, objectWriteTraceId: input.objectWriteTraceId };
}

/** HubSpot's single error for every id a batch could not find. */
function notFound(type: ObjectTypeName, ids: readonly string[]): BatchError[] {
  if (ids.length === 0) return [];
  return [
    {
      status: "error",
      category: "OBJECT_NOT_FOUND",
      message: `Could not get some ${OBJECT_SPECS[type].singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
      context: { ids: [...ids] },
    },
  ];
}
