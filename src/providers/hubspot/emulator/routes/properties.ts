/**
 * `/crm/v3/properties/{objectType}`: read the property definitions, and create custom ones.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { PropertyType } from "../catalog.ts";
import { type EmulatorContext, objectTypeParam } from "../context.ts";
import { HubSpotApiError, validationError } from "../errors.ts";

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
      throw new HubSpotApiError(
        404,
        "OBJECT_NOT_FOUND",
        `Unable to find property ${request.params.propertyName}.`,
      );
    }
    return reply.send(definition);
  });

  app.post("/crm/v3/properties/:objectType", async (request: FastifyRequest<Params>, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const parsed = propertyCreateSchema.safeParse(request.body);
    if (!parsed.success) {
      throw validationError(
        `Invalid property definition: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
      );
    }
    const input = parsed.data;
    if (dataset.propertySpec(type, input.name)) {
      throw new HubSpotApiError(
        409,
        "OBJECT_ALREADY_EXISTS",
        `A property named "${input.name}" already exists.`,
      );
    }
    const definition = dataset.addProperty(type, {
      name: input.name,
      label: input.label,
      type: input.type,
      fieldType: input.fieldType,
      ...(input.description ? { description: input.description } : {}),
      ...(input.options ? { options: input.options.map((option) => option.value) } : {}),
    });
    return reply.code(201).send(definition);
  });
}
