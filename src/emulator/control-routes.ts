/**
 * `/_emulator/*`: the control API (no auth, no faults; the prefix cannot clash with a provider's paths).
 * The kit serves state, faults, rate limits, token expiry, reset and the OAuth server's controls; a provider
 * adds its data controls (changes over time, ground truth…) under the same prefix.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseBody } from "./body.ts";
import type { CoreControls, EmulatorCore } from "./core.ts";
import type { ErrorStyle } from "./errors.ts";
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

  // Every enforced window each caller opened, with what it accepted and refused (benchmarks measure by it).
  app.get(`${CONTROL_PREFIX}/rate-limit/windows`, async () => ({ windows: core.limiter.history() }));

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

/**
 * `GET /_emulator/ground-truth/:name`: what the emulator holds of one of its tables, for tests to compare a
 * sync with; an unknown name is a 400 in the provider's error style.
 */
export function groundTruthRoute<Name extends string>(
  app: FastifyInstance,
  errors: ErrorStyle,
  names: readonly Name[],
  truth: (name: Name) => unknown,
): void {
  app.get(`${CONTROL_PREFIX}/ground-truth/:name`, async (request) => {
    const name = (request.params as { name: string }).name;
    if (!(names as readonly string[]).includes(name))
      throw errors.invalidRequest(`The ground truth is kept for ${names.join(", ")}; not for "${name}".`);
    return truth(name as Name);
  });
}
