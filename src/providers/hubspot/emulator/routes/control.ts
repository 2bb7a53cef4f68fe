/**
 * HubSpot's data controls beside the kit's `/_emulator/*`: changes over time, custom properties, and the
 * ground truth of a type.
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseBody } from "../../../../emulator/body.ts";
import { CONTROL_PREFIX } from "../../../../emulator/control-routes.ts";
import { EmulatorError } from "../../../../emulator/errors.ts";
import type { ObjectTypeName } from "../catalog.ts";
import { objectTypeParam } from "../context.ts";
import { type EmulatorControls, mutationSchema } from "../controls.ts";
import { hubspotErrors } from "../errors.ts";
import { propertyCreateSchema } from "./properties.ts";

const addPropertySchema = propertyCreateSchema.extend({ objectType: z.string() });

/** Registers HubSpot's control routes. */
export function hubspotControlRoutes(app: FastifyInstance, controls: EmulatorControls): void {
  const parse = <T>(schema: z.ZodType<T>, body: unknown) => parseBody(hubspotErrors, schema, body ?? {});

  app.post(`${CONTROL_PREFIX}/mutate`, async (request) => {
    // The type may be written as HubSpot accepts it in paths (`contact`, `0-1`, …).
    const body = parse(mutationSchema.extend({ type: z.string() }), request.body);
    return controls.mutate({ ...body, type: objectTypeParam(body.type) });
  });

  app.post(`${CONTROL_PREFIX}/add-property`, async (request, reply) => {
    const {
      objectType,
      options,
      groupName: _groupName,
      ...property
    } = parse(addPropertySchema, request.body);
    const type: ObjectTypeName = objectTypeParam(objectType);
    try {
      const spec = { ...property, ...(options ? { options: options.map((option) => option.value) } : {}) };
      return reply.code(201).send(controls.addProperty(type, spec));
    } catch (error) {
      throw new EmulatorError(
        409,
        "OBJECT_ALREADY_EXISTS",
        error instanceof Error ? error.message : String(error),
      );
    }
  });

  app.get(
    `${CONTROL_PREFIX}/ground-truth/:objectType`,
    async (request: FastifyRequest<{ Params: { objectType: string } }>) =>
      controls.groundTruth(objectTypeParam(request.params.objectType)),
  );
}
