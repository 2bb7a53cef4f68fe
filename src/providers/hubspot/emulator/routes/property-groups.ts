/**
 * `/crm/v3/properties/{objectType}/groups`: list, read, create, update and archive property groups.
 * HubSpot's default groups and groups that still hold properties cannot be archived.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { EmulatorError } from "../../../../emulator/errors.ts";
import { type EmulatorContext, objectTypeParam } from "../context.ts";
import { validationError } from "../errors.ts";
import { parseBody } from "../object-writes.ts";

const groupCreateSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be lower-case letters, digits and underscores"),
  label: z.string().min(1),
  displayOrder: z.number().int().optional(),
});
const groupUpdateSchema = z.object({
  label: z.string().min(1).optional(),
  displayOrder: z.number().int().optional(),
});

type Params = { Params: { objectType: string; groupName?: string } };

/** Registers the property group routes. */
export function propertyGroupRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;
  const existing = (request: FastifyRequest<Params>) => {
    const type = objectTypeParam(request.params.objectType);
    const name = request.params.groupName ?? "";
    if (!dataset.groups.get(type, name)) {
      throw new EmulatorError(404, "OBJECT_NOT_FOUND", `Unable to find property group ${name} on ${type}.`);
    }
    return { type, name };
  };

  app.get("/crm/v3/properties/:objectType/groups", async (request: FastifyRequest<Params>) => ({
    results: dataset.groups.list(objectTypeParam(request.params.objectType)),
  }));

  app.get("/crm/v3/properties/:objectType/groups/:groupName", async (request: FastifyRequest<Params>) => {
    const { type, name } = existing(request);
    return dataset.groups.get(type, name);
  });

  app.post("/crm/v3/properties/:objectType/groups", async (request: FastifyRequest<Params>, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const input = parseBody(groupCreateSchema, request.body);
    if (dataset.groups.get(type, input.name)) {
      throw new EmulatorError(
        409,
        "OBJECT_ALREADY_EXISTS",
        `A property group named "${input.name}" already exists.`,
      );
    }
    return reply.code(201).send(dataset.groups.create(type, input));
  });

  app.patch("/crm/v3/properties/:objectType/groups/:groupName", async (request: FastifyRequest<Params>) => {
    const { type, name } = existing(request);
    return dataset.groups.update(type, name, parseBody(groupUpdateSchema, request.body));
  });

  app.delete(
    "/crm/v3/properties/:objectType/groups/:groupName",
    async (request: FastifyRequest<Params>, reply) => {
      const { type, name } = existing(request);
      if (dataset.groups.isDefault(type, name)) {
        throw validationError(
          `${name} is one of HubSpot's default property groups of ${type}; it cannot be archived.`,
        );
      }
      const members = dataset
        .propertyDefinitions(type)
        .filter((property) => property.groupName === name)
        .map((property) => property.name);
      if (members.length > 0) {
        throw validationError(
          `Property group ${name} still holds ${members.join(", ")}; move or archive those properties first.`,
        );
      }
      dataset.groups.archive(type, name);
      return reply.code(204).send();
    },
  );
}
