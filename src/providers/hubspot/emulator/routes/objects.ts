/**
 * CRM v3 object endpoints: list (paged by id), get, create, update and archive.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { afterIdParam, requestPageLink, takePage } from "../../../../emulator/paging.ts";
import { type ObjectTypeName, resolveObjectType } from "../catalog.ts";
import {
  archivedParam,
  type EmulatorContext,
  listParam,
  numericId,
  objectTypeParam,
  singleParam,
} from "../context.ts";
import { objectNotFound, validationError } from "../errors.ts";
import { findRecordId, idPropertyParam } from "../object-lookup.ts";
import {
  companyAssociation,
  createInputSchema,
  EmailClaims,
  parseBody,
  propertiesSchema,
  writableValues,
} from "../object-writes.ts";
import { selectProperties, toApiObject } from "../serialize.ts";

export const DEFAULT_LIST_LIMIT = 10;
export const MAX_LIST_LIMIT = 100;

type Query = Record<string, string | string[] | undefined>;
type ObjectRequest = FastifyRequest<{
  Params: { objectType: string; objectId?: string };
  Querystring: Query;
}>;

const updateBodySchema = z.object({ properties: propertiesSchema });

/** Registers the v3 object routes. */
export function objectRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;

  app.get("/crm/v3/objects/:objectType", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const query = request.query;
    const limit = parseLimit(query.limit);
    const archived = archivedParam(query.archived);
    const table = dataset.table(type);
    const fromId = afterIdParam(singleParam(query.after));
    const names = selectProperties(dataset, type, listParam(query.properties));
    const associationTypes = associationTypesParam(query.associations);
    const ids = archived ? table.archivedIds(fromId) : table.liveIds(fromId);
    const page = takePage(ids, limit);
    const results = page.items.map((id) =>
      toApiObject(dataset, type, table.get(id)!, names, associationTypes),
    );
    if (page.next === undefined) return reply.send({ results });
    const after = String(page.next);
    return reply.send({ results, paging: { next: { after, link: requestPageLink(request, { after }) } } });
  });

  app.get("/crm/v3/objects/:objectType/:objectId", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const archived = archivedParam(request.query.archived);
    const table = dataset.table(type);
    const idProperty = idPropertyParam(dataset, type, singleParam(request.query.idProperty));
    const id = findRecordId(dataset, type, idProperty, request.params.objectId ?? "", archived);
    if (id === undefined) throw objectNotFound(request.params.objectId ?? "");
    const names = selectProperties(dataset, type, listParam(request.query.properties));
    return reply.send(
      toApiObject(dataset, type, table.get(id)!, names, associationTypesParam(request.query.associations)),
    );
  });

  app.post("/crm/v3/objects/:objectType", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const body = parseBody(createInputSchema, request.body);
    const props = writableValues(dataset, type, body.properties);
    new EmailClaims(dataset, type).claim(props);
    const companyId = companyAssociation(dataset, type, body.associations);
    const record = dataset.createRecord(type, props, companyId);
    const names = selectProperties(dataset, type, Object.keys(props));
    return reply.code(201).send(toApiObject(dataset, type, record, names));
  });

  app.patch("/crm/v3/objects/:objectType/:objectId", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const idProperty = idPropertyParam(dataset, type, singleParam(request.query.idProperty));
    const id = findRecordId(dataset, type, idProperty, request.params.objectId ?? "");
    if (id === undefined) throw objectNotFound(request.params.objectId ?? "");
    const props = writableValues(dataset, type, parseBody(updateBodySchema, request.body).properties);
    new EmailClaims(dataset, type).claim(props, id);
    const record = dataset.updateRecord(type, id, props);
    return reply.send(
      toApiObject(dataset, type, record, selectProperties(dataset, type, Object.keys(props))),
    );
  });

  app.delete("/crm/v3/objects/:objectType/:objectId", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const id = numericId(request.params.objectId ?? "");
    // HubSpot answers 204 whether or not the record existed.
    if (id !== undefined && dataset.table(type).isLive(id)) dataset.archiveRecord(type, id);
    return reply.code(204).send();
  });
}

function parseLimit(raw: string | string[] | undefined): number {
  const text = singleParam(raw);
  if (text === undefined || text === "") return DEFAULT_LIST_LIMIT;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw validationError(`limit must be an integer between 1 and ${MAX_LIST_LIMIT}, but was ${text}.`, [
      { message: `must be between 1 and ${MAX_LIST_LIMIT}`, in: "limit" },
    ]);
  }
  return limit;
}

function associationTypesParam(raw: string | string[] | undefined): ObjectTypeName[] {
  return listParam(raw).flatMap((name) => {
    const type = resolveObjectType(name);
    return type ? [type] : [];
  });
}
