/**
 * `/crm/v3/properties/{objectType}`: read the property definitions; create, update and archive custom ones.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { EmulatorError } from "../../../../emulator/errors.ts";
import { OBJECT_SPECS, type ObjectTypeName, type PropertyDefinition, type PropertyType } from "../catalog.ts";
import { type EmulatorContext, objectTypeParam } from "../context.ts";
import type { Dataset } from "../dataset.ts";
import { validationError } from "../errors.ts";
import { parseBody } from "../object-writes.ts";

const PROPERTY_TYPES = [
  "string",
  "number",
  "date",
  "datetime",
  "enumeration",
  "bool",
  "phone_number",
] as const;

/** A custom property definition as `POST /crm/v3/properties/{objectType}` accepts it. */
export const propertyCreateSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be lower-case letters, digits and underscores"),
  label: z.string().min(1),
  type: z.enum(PROPERTY_TYPES satisfies readonly PropertyType[]),
  fieldType: z.string().min(1),
  groupName: z.string().optional(),
  description: z.string().optional(),
  options: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
  hasUniqueValue: z.boolean().optional(),
});

/** What `PATCH /crm/v3/properties/{objectType}/{propertyName}` may change on a custom property. */
const propertyUpdateSchema = z.object({
  label: z.string().min(1).optional(),
  description: z.string().optional(),
  groupName: z.string().optional(),
  options: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
});

type Params = { Params: { objectType: string; propertyName?: string } };

/** Registers the properties routes. */
export function propertyRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;

  app.get("/crm/v3/properties/:objectType", async (request: FastifyRequest<Params>, reply) => {
    const type = objectTypeParam(request.params.objectType);
    return reply.send({ results: dataset.propertyDefinitions(type) });
  });

  app.get("/crm/v3/properties/:objectType/:propertyName", async (request: FastifyRequest<Params>, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const definition = dataset
      .propertyDefinitions(type)
      .find((candidate) => candidate.name === request.params.propertyName);
    if (!definition) {
      throw new EmulatorError(
        404,
        "OBJECT_NOT_FOUND",
        `Unable to find property ${request.params.propertyName}.`,
      );
    }
    return reply.send(definition);
  });

  app.post("/crm/v3/properties/:objectType", async (request: FastifyRequest<Params>, reply) => {
    const type = objectTypeParam(request.params.objectType);
    return reply.code(201).send(createProperty(dataset, type, parseBody(propertyCreateSchema, request.body)));
  });

  app.patch(
    "/crm/v3/properties/:objectType/:propertyName",
    async (request: FastifyRequest<Params>, reply) => {
      const type = objectTypeParam(request.params.objectType);
      const name = customPropertyName(dataset, type, request.params.propertyName ?? "");
      const patch = parseBody(propertyUpdateSchema, request.body);
      if (patch.groupName !== undefined) assertGroupExists(dataset, type, patch.groupName);
      return reply.send(
        dataset.updateProperty(type, name, {
          label: patch.label,
          description: patch.description,
          groupName: patch.groupName,
          options: patch.options?.map((option) => option.value),
        }),
      );
    },
  );

  app.delete(
    "/crm/v3/properties/:objectType/:propertyName",
    async (request: FastifyRequest<Params>, reply) => {
      const type = objectTypeParam(request.params.objectType);
      dataset.archiveProperty(type, customPropertyName(dataset, type, request.params.propertyName ?? ""));
      return reply.code(204).send();
    },
  );
}

/** Adds a custom property as `POST /crm/v3/properties/{objectType}` does (409 when the name is taken). */
export function createProperty(
  dataset: Dataset,
  type: ObjectTypeName,
  input: z.infer<typeof propertyCreateSchema>,
): PropertyDefinition {
  if (input.groupName !== undefined) assertGroupExists(dataset, type, input.groupName);
  if (dataset.propertySpec(type, input.name)) {
    throw new EmulatorError(409, "OBJECT_ALREADY_EXISTS", `A property named "${input.name}" already exists.`);
  }
  return dataset.addProperty(type, {
    name: input.name,
    label: input.label,
    type: input.type,
    fieldType: input.fieldType,
    ...(input.description ? { description: input.description } : {}),
    ...(input.options ? { options: input.options.map((option) => option.value) } : {}),
    ...(input.groupName ? { groupName: input.groupName } : {}),
    ...(input.hasUniqueValue ? { unique: true } : {}),
  });
}

/** The name of a custom property of the type: 404 when unknown, 400 for HubSpot's own (read-only) ones. */
export function customPropertyName(dataset: Dataset, type: ObjectTypeName, name: string): string {
  if (!dataset.propertySpec(type, name)) {
    throw new EmulatorError(404, "OBJECT_NOT_FOUND", `Unable to find property ${name}.`);
  }
  if (OBJECT_SPECS[type].properties.some((property) => property.name === name)) {
    throw validationError(`${name} is a HubSpot-defined property of ${type}; its definition is read-only.`);
  }
  return name;
}

/** A 400 naming the groups that exist when `groupName` is not one of them. */
export function assertGroupExists(dataset: Dataset, type: ObjectTypeName, groupName: string): void {
  if (dataset.groups.get(type, groupName)) return;
  const names = dataset.groups.list(type).map((group) => group.name);
  throw validationError(
    `Property group ${groupName} does not exist on ${type}; use one of: ${names.join(", ")}.`,
  );
}
