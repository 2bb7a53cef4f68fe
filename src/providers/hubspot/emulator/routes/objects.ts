/**
 * CRM v3 object endpoints: list (paged by id), get, create, update and archive.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { OBJECT_SPECS, type ObjectTypeName, resolveObjectType } from "../catalog.ts";
import { type EmulatorContext, listParam, numericId, objectTypeParam } from "../context.ts";
import type { Dataset } from "../dataset.ts";
import { type ErrorDetail, HubSpotApiError, objectNotFound, validationError } from "../errors.ts";
import { indexInContactEmail, type PropertyValues } from "../generate.ts";
import { selectProperties, toApiObject } from "../serialize.ts";

export const DEFAULT_LIST_LIMIT = 10;
export const MAX_LIST_LIMIT = 100;

type Query = Record<string, string | string[] | undefined>;
type ObjectRequest = FastifyRequest<{
  Params: { objectType: string; objectId?: string };
  Querystring: Query;
}>;

const booleanParam = z
  .union([z.literal("true"), z.literal("false")])
  .optional()
  .transform((value) => value === "true");

const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const writeBodySchema = z.object({
  properties: z.record(z.string(), propertyValue),
  associations: z
    .array(
      z.object({
        to: z.object({ id: z.union([z.string(), z.number()]) }),
        types: z.array(z.object({ associationCategory: z.string(), associationTypeId: z.number() })).min(1),
      }),
    )
    .optional(),
});

/** Registers the v3 object routes. */
export function objectRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;

  app.get("/crm/v3/objects/:objectType", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const query = request.query;
    const limit = parseLimit(query.limit);
    const archived = booleanParam.parse(single(query.archived));
    const table = dataset.table(type);
    const after = single(query.after);
    const fromId = after === undefined || after === "" ? undefined : numericId(after);
    if (after !== undefined && after !== "" && fromId === undefined) {
      throw validationError(`after must be a paging cursor returned by a previous page, but was "${after}".`);
    }
    const names = selectProperties(dataset, type, listParam(query.properties));
    const associationTypes = associationTypesParam(query.associations);
    const ids = archived ? table.archivedIds(fromId) : table.liveIds(fromId);
    const page: number[] = [];
    let nextId: number | undefined;
    for (const id of ids) {
      if (page.length === limit) {
        nextId = id;
        break;
      }
      page.push(id);
    }
    const results = page.map((id) => toApiObject(dataset, type, table.get(id)!, names, associationTypes));
    if (nextId === undefined) return reply.send({ results });
    const link = new URL(request.url, `http://${request.headers.host ?? "localhost"}`);
    link.searchParams.set("after", String(nextId));
    return reply.send({ results, paging: { next: { after: String(nextId), link: link.toString() } } });
  });

  app.get("/crm/v3/objects/:objectType/:objectId", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const archived = booleanParam.parse(single(request.query.archived));
    const table = dataset.table(type);
    const id = numericId(request.params.objectId ?? "");
    if (id === undefined || table.indexOf(id) === undefined || table.isArchived(id) !== archived) {
      throw objectNotFound(request.params.objectId ?? "");
    }
    const names = selectProperties(dataset, type, listParam(request.query.properties));
    return reply.send(
      toApiObject(dataset, type, table.get(id)!, names, associationTypesParam(request.query.associations)),
    );
  });

  app.post("/crm/v3/objects/:objectType", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const body = parseBody(request.body);
    const props = writableValues(dataset, type, body.properties);
    if (type === "contacts" && typeof props.email === "string") {
      const existing = findContactByEmail(dataset, props.email);
      if (existing !== undefined) {
        throw new HubSpotApiError(409, "CONFLICT", `Contact already exists. Existing ID: ${existing}`);
      }
    }
    const companyId = companyAssociation(dataset, type, body.associations ?? []);
    const record = dataset.createRecord(type, props, companyId);
    const names = selectProperties(dataset, type, Object.keys(props));
    return reply.code(201).send(toApiObject(dataset, type, record, names));
  });

  app.patch("/crm/v3/objects/:objectType/:objectId", async (request: ObjectRequest, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const id = numericId(request.params.objectId ?? "");
    if (id === undefined || !dataset.table(type).isLive(id))
      throw objectNotFound(request.params.objectId ?? "");
    const props = writableValues(dataset, type, parseBody(request.body).properties);
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

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function parseLimit(raw: string | string[] | undefined): number {
  const text = single(raw);
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

function parseBody(body: unknown): z.infer<typeof writeBodySchema> {
  const parsed = writeBodySchema.safeParse(body);
  if (!parsed.success) {
    throw validationError(
      `Invalid input: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

/** Property values to store: every name must exist and be writable; values become strings. */
function writableValues(
  dataset: Dataset,
  type: ObjectTypeName,
  input: Record<string, string | number | boolean | null>,
): PropertyValues {
  const errors: ErrorDetail[] = [];
  const values: PropertyValues = {};
  for (const [name, value] of Object.entries(input)) {
    const property = dataset.propertySpec(type, name);
    if (!property) {
      errors.push({
        message: `Property "${name}" does not exist`,
        code: "PROPERTY_DOESNT_EXIST",
        context: { propertyName: [name] },
      });
    } else if (property.readOnly) {
      errors.push({
        message: `Property "${name}" is read-only`,
        code: "READ_ONLY_VALUE",
        context: { propertyName: [name] },
      });
    } else {
      values[name] = value === null || value === "" ? null : String(value);
    }
  }
  if (errors.length > 0) throw validationError("Property values were not valid", errors);
  return values;
}

/** The company a create request associates a contact or deal with (last one wins), checked to exist. */
function companyAssociation(
  dataset: Dataset,
  type: ObjectTypeName,
  associations: z.infer<typeof writeBodySchema>["associations"] & object,
): number | undefined {
  let companyId: number | undefined;
  for (const association of associations) {
    const id = numericId(association.to.id);
    if (type === "companies" || id === undefined || !dataset.table("companies").isLive(id)) {
      throw validationError(
        `Association target ${association.to.id} is not a ${OBJECT_SPECS.companies.singular} we can associate.`,
      );
    }
    companyId = id;
  }
  return companyId;
}

/** The id of the live contact holding this email, if any (seeded emails encode their index). */
function findContactByEmail(dataset: Dataset, email: string): number | undefined {
  const table = dataset.table("contacts");
  const wanted = email.toLowerCase();
  const matches = (id: number) =>
    table.isLive(id) && table.get(id)?.properties.email?.toLowerCase() === wanted;
  const index = indexInContactEmail(wanted);
  if (index !== undefined && matches(table.spec.idBase + index)) return table.spec.idBase + index;
  return [...table.changedIds()].find(matches);
}
