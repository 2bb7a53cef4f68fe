/**
 * `/_emulator/*`: the control API (no auth, no faults; the prefix cannot clash with a provider's paths).
 * The kit serves state, faults, rate limits, token expiry, reset and the OAuth server's controls; a provider
 * adds its data controls (changes over time, ground truth…) under the same prefix.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseBody } from "./body.ts";
import type { CoreControls, EmulatorCore } from "./core.ts";
import { faultConfigSchema } from "./faults.ts";
import { oauthControlRoutes } from "./oauth/control-routes.ts";

export const CONTROL_PREFIX = "/_emulator";

/** The controls the kit's routes call: the kit's own, plus the provider's state and reset. */
export interface ControlSurface<RateConfig extends object> extends CoreControls<RateConfig> {
  state(): unknown;
  /** Back to the seeded data and a fresh core. */
  reset(): void;
}

/** Registers the kit's control routes. */
export function controlRoutes<RateConfig extends object>(
  app: FastifyInstance,
  core: EmulatorCore<RateConfig>,
  controls: ControlSurface<RateConfig>,
): void {
  const parse = <T>(schema: z.ZodType<T>, body: unknown) => parseBody(core.errors, schema, body ?? {});
  app.get(`${CONTROL_PREFIX}/state`, async () => controls.state());

  app.get(`${CONTROL_PREFIX}/faults`, async () => core.faults.settings);
  app.post(`${CONTROL_PREFIX}/faults`, async (request) =>
    controls.setFaults(
      parse(faultConfigSchema.partial().extend({ restart: z.boolean().optional() }), request.body),
    ),
  );

  app.post(`${CONTROL_PREFIX}/rate-limit`, async (request) =>
    controls.setRateLimit(parse(core.rateLimitSchema, request.body)),
  );

  app.post(`${CONTROL_PREFIX}/expire-token`, async (request) => {
    const { token } = parse(z.object({ token: z.string().min(1) }), request.body);
    controls.expireToken(token);
    return { expired: token };
  });

  app.post(`${CONTROL_PREFIX}/reset`, async () => {
    controls.reset();
    return controls.state();
  });

  if (core.oauth) oauthControlRoutes(app, core.oauth, parse, `${CONTROL_PREFIX}/oauth`);
}
