/**
 * `/_emulator/*`: control endpoints (no auth, no faults). The prefix cannot clash with HubSpot paths.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ObjectTypeName } from "../catalog.ts";
import { objectTypeParam } from "../context.ts";
import { type EmulatorControls, mutationSchema } from "../controls.ts";
import { HubSpotApiError, validationError } from "../errors.ts";
import { faultConfigSchema } from "../faults.ts";
import { propertyCreateSchema } from "./properties.ts";

export const CONTROL_PREFIX = "/_emulator";

const rateLimitSchema = z
  .object({
    maxPerInterval: z.number().int().min(1),
    intervalMs: z.number().int().min(1),
    daily: z.number().int().min(1),
    searchPerSecond: z.number().int().min(1),
    searchHeaders: z.boolean(),
  })
  .partial();

const addPropertySchema = propertyCreateSchema.extend({ objectType: z.string() });

/** Parses a control body, answering 400 with the problems when it does not fit. */
function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw validationError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "),
    );
  }
  return parsed.data;
}

/** Registers the control routes. */
export function controlRoutes(app: FastifyInstance, controls: EmulatorControls): void {
  app.get(`${CONTROL_PREFIX}/state`, async () => controls.state());

  app.post(`${CONTROL_PREFIX}/mutate`, async (request) => {
    // The type may be written as HubSpot accepts it in paths (`contact`, `0-1`, …).
    const body = parse(mutationSchema.extend({ type: z.string() }), request.body);
    return controls.mutate({ ...body, type: objectTypeParam(body.type) });
  });

  app.get(`${CONTROL_PREFIX}/faults`, async () => controls.state().faults);
  app.post(`${CONTROL_PREFIX}/faults`, async (request) =>
    controls.setFaults(
      parse(faultConfigSchema.partial().extend({ restart: z.boolean().optional() }), request.body),
    ),
  );

  app.post(`${CONTROL_PREFIX}/rate-limit`, async (request) =>
    controls.setRateLimit(parse(rateLimitSchema, request.body)),
  );

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
      throw new HubSpotApiError(
        409,
        "OBJECT_ALREADY_EXISTS",
        error instanceof Error ? error.message : String(error),
      );
    }
  });

  app.post(`${CONTROL_PREFIX}/expire-token`, async (request) => {
    const { token } = parse(z.object({ token: z.string().min(1) }), request.body);
    controls.expireToken(token);
    return { expired: token };
  });

  app.post(`${CONTROL_PREFIX}/reset`, async () => {
    controls.reset();
    return controls.state();
  });

  app.get(
    `${CONTROL_PREFIX}/ground-truth/:objectType`,
    async (request: FastifyRequest<{ Params: { objectType: string } }>) =>
      controls.groundTruth(objectTypeParam(request.params.objectType)),
  );
}
