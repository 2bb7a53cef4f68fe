/**
 * The machinery every emulator shares, bound to one provider's choices: its credentials, rate limits,
 * fault plan, OAuth server and error style. Routes and controls receive it; nothing is global.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { DEFAULT_ERROR_STYLE, type ErrorStyle } from "./errors.ts";
import { type FaultConfig, FaultPlan, type FaultSettings } from "./faults.ts";
import type { OAuthServerConfig } from "./oauth/config.ts";
import { type OAuthAppSpec, OAuthState } from "./oauth/state.ts";
import { RateLimiter, type RateLimitPolicy } from "./rate-limit.ts";
import { bearerToken, type CredentialSource, TokenRegistry } from "./tokens.ts";

/** A provider's rate limits: its config object, the policy it means, and the schema of runtime changes. */
export interface RateLimitSpec<RateConfig extends object> {
  config: RateConfig;
  policy(config: RateConfig): RateLimitPolicy;
  /**
   * Validates `POST /_emulator/rate-limit` bodies. Default: any of the config's keys, a number as a whole
   * number of at least 1 (a limit, a window), a boolean as a boolean.
   */
  schema?: z.ZodType<Partial<RateConfig>>;
}

/** The default schema of runtime changes to a rate-limit config (see `RateLimitSpec.schema`). */
export function rateLimitSchemaOf<RateConfig extends object>(
  config: RateConfig,
): z.ZodType<Partial<RateConfig>> {
  const shape = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      typeof value === "boolean" ? z.boolean() : z.number().int().min(1),
    ]),
  );
  return z.strictObject(shape).partial() as unknown as z.ZodType<Partial<RateConfig>>;
}

export interface EmulatorCoreOptions<RateConfig extends object> {
  /** Seed of the fault sequence unless the fault settings name their own. */
  seed: number;
  /** The credentials the API accepts (API keys, private app tokens). */
  tokens: readonly string[];
  /** Where requests carry their credential (default: `Authorization: Bearer`). */
  credentials?: CredentialSource;
  errors?: ErrorStyle;
  rateLimit: RateLimitSpec<RateConfig>;
  faults?: FaultSettings;
  /** An OAuth2 server, when the provider offers OAuth. */
  oauth?: { server: OAuthServerConfig; apps?: readonly OAuthAppSpec[] };
  /** The kind of an API request, for rate-limit windows that count only some kinds (default "default"). */
  requestKind?(request: FastifyRequest): string;
  /**
   * Who a rate limit counts: each credential (`token`, the default), or each app (`app`: every OAuth access
   * token of one app shares its windows, as a provider limiting an app per account does; a configured token
   * is an app of its own).
   */
  rateLimitPer?: "token" | "app";
}

export interface EmulatorCore<RateConfig extends object = object> {
  errors: ErrorStyle;
  credentials: CredentialSource;
  tokens: TokenRegistry;
  limiter: RateLimiter<RateConfig>;
  rateLimitSchema: z.ZodType<Partial<RateConfig>>;
  faults: FaultPlan;
  oauth: OAuthState | undefined;
  /** API requests served per route pattern, for tests and benchmarks. */
  requestCounts: Map<string, number>;
  requestKind(request: FastifyRequest): string;
  /** The caller whose windows a request with this (accepted) credential counts in. */
  rateLimitCaller(token: string): string;
}

export function createEmulatorCore<RateConfig extends object>(
  options: EmulatorCoreOptions<RateConfig>,
): EmulatorCore<RateConfig> {
  const tokens = new TokenRegistry(options.tokens);
  return {
    errors: options.errors ?? DEFAULT_ERROR_STYLE,
    credentials: options.credentials ?? bearerToken,
    tokens,
    limiter: new RateLimiter(options.rateLimit.config, options.rateLimit.policy),
    rateLimitSchema: options.rateLimit.schema ?? rateLimitSchemaOf(options.rateLimit.config),
    faults: new FaultPlan(options.faults ?? {}, options.seed),
    oauth: options.oauth ? new OAuthState(tokens, options.oauth.server, options.oauth.apps) : undefined,
    requestCounts: new Map(),
    requestKind: options.requestKind ?? (() => "default"),
    rateLimitCaller:
      options.rateLimitPer === "app"
        ? (token) => `app:${tokens.appIds.get(token) ?? token}`
        : (token) => token,
  };
}

/** What every emulator's handle and `/_emulator/*` offer besides the provider's own data controls. */
export interface CoreControls<RateConfig extends object> {
  setFaults(settings: FaultSettings & { restart?: boolean }): FaultConfig;
  setRateLimit(config: Partial<RateConfig>): RateConfig;
  /** Makes a credential be refused as expired from now on. */
  expireToken(token: string): void;
}

/** The kit's part of an emulator's state. */
export interface CoreState<RateConfig extends object> {
  rateLimit: RateConfig;
  faults: FaultConfig;
  /** API requests served per route pattern. */
  requests: Record<string, number>;
}

export function coreControls<RateConfig extends object>(
  core: EmulatorCore<RateConfig>,
): CoreControls<RateConfig> {
  return {
    setFaults: ({ restart, ...settings }) => {
      core.faults.configure(settings);
      if (restart) core.faults.restart();
      return core.faults.settings;
    },
    setRateLimit: (config) => {
      core.limiter.configure(config);
      return core.limiter.settings;
    },
    expireToken: (token) => core.tokens.expire(token),
  };
}

export function coreState<RateConfig extends object>(core: EmulatorCore<RateConfig>): CoreState<RateConfig> {
  return {
    rateLimit: core.limiter.settings,
    faults: core.faults.settings,
    requests: Object.fromEntries(core.requestCounts),
  };
}

/**
 * An emulator's controls: the kit's, with the provider's own state (the kit's part added) and reset (the
 * kit's part reset after it).
 */
export function emulatorControls<RateConfig extends object, State extends object>(
  core: EmulatorCore<RateConfig>,
  own: { state(): State; reset(): void },
) {
  return {
    ...coreControls(core),
    state: () => ({ ...own.state(), ...coreState(core) }),
    reset: () => {
      own.reset();
      resetCore(core);
    },
  };
}

/** Clears rate-limit usage, token expiries, OAuth consents and counters, and replays the fault sequence. */
export function resetCore<RateConfig extends object>(core: EmulatorCore<RateConfig>): void {
  core.limiter.reset();
  core.tokens.reset();
  core.oauth?.reset();
  core.faults.restart();
  core.requestCounts.clear();
}
