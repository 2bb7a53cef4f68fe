/**
 * `/crm/v3/properties/{objectType}/batch/{read,create,archive}`. Reads and creates report the inputs
 * they could not serve under `errors` with status 207; archive answers 204.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { EmulatorError } from "../../../../emulator/errors.ts";
import { type BatchError, batchReply } from "../batch.ts";
import { type EmulatorContext, objectTypeParam } from "../context.ts";

import { parseBody } from "../object-writes.ts";
import { createProperty, customPropertyName, propertyCreateSchema } from "./properties.ts";

const MAX_INPUTS = 100;
const namesSchema = z.object({
  inputs: z
    .array(z.object({ name: z.string() }))
    .max(MAX_INPUTS, `a batch takes at most ${MAX_INPUTS} inputs`),
  archived: z.boolean().optional(),
});
const createSchema = z.object({
  inputs: z.array(propertyCreateSchema).max(MAX_INPUTS, `a batch takes at most ${MAX_INPUTS} inputs`),
});

type Params = { Params: { objectType: string } };

/** Registers the properties batch routes. */
export function propertyBatchRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;

  app.post("/crm/v3/properties/:objectType/batch/read", async (request: FastifyRequest<Params>, reply) => {
    const startedAt = new Date().toISOString();
    const type = objectTypeParam(request.params.objectType);
    const { inputs } = parseBody(namesSchema, request.body);
    const definitions = dataset.propertyDefinitions(type);
    const results = inputs.flatMap(({ name }) =>
      definitions.filter((definition) => definition.name === name),
    );
    const missing = inputs
      .map(({ name }) => name)
      .filter((name) => !definitions.some((d) => d.name === name));
    const errors: BatchError[] = missing.map((name) => ({
      status: "error",
      category: "OBJECT_NOT_FOUND",
      message: `Unable to find property ${name}.`,
      context: { properties: [name] },
    }));
    const { statusCode, body } = batchReply(results, errors, startedAt);
    return reply.code(statusCode).send(body);
  });

  app.post("/crm/v3/properties/:objectType/batch/create", async (request: FastifyRequest<Params>, reply) => {
    const startedAt = new Date().toISOString();
    const type = objectTypeParam(request.params.objectType);
    const { inputs } = parseBody(createSchema, request.body);
    const results: unknown[] = [];
    const errors: BatchError[] = [];
    for (const input of inputs) {
      try {
        results.push(createProperty(dataset, type, input));
      } catch (error) {
        if (!(error instanceof EmulatorError)) throw error;
        errors.push({
          status: "error",
          category: error.code,
          message: error.message,
          context: { properties: [input.name] },
        });
      }
    }
    const { statusCode, body } = batchReply(results, errors, startedAt, 201);
    return reply.code(statusCode).send(body);
  });

  app.post("/crm/v3/properties/:objectType/batch/archive", async (request: FastifyRequest<Params>, reply) => {
    const type = objectTypeParam(request.params.objectType);
    const { inputs } = parseBody(namesSchema, request.body);
    // Check every name first, so a refused batch archives nothing.
    const names = inputs.map(({ name }) => customPropertyName(dataset, type, name));
    for (const name of names) dataset.archiveProperty(type, name);
    return reply.code(204).send();
  });
}
