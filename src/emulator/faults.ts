/**
 * Fault knobs: for the n-th API request, whether to add latency, drop the connection, answer 429 or 5xx,
 * send an HTML page with status 200, or truncate the JSON body. Decisions are a pure function of
 * (fault seed, n), so a seeded run fails the same way every time.
 */
import { z } from "zod";
import { hash32, unit } from "./random.ts";

const rate = z.number().min(0).max(1);

export const faultConfigSchema = z.object({
  /** Seed of the fault sequence; defaults to the dataset seed. */
  seed: z.number().int().optional(),
  /** Share of requests answered 429 (the provider's rate-limit body for its fault policy). */
  rate429: rate.default(0),
  /** Share of requests answered 500, 502 or 503. */
  rate5xx: rate.default(0),
  /** Delay added before every API response. */
  latencyMs: z.number().int().min(0).default(0),
  /** Share of requests whose socket is destroyed without any response. */
  dropRate: rate.default(0),
  /** Share of successful responses whose JSON body is cut in half. */
  malformedRate: rate.default(0),
  /** Share of requests answered with an HTML error page and status 200 (1 = always). */
  htmlRate: rate.default(0),
  /** After this many requests, a token is refused as expired (401). */
  tokenExpiresAfter: z.number().int().min(0).optional(),
});
export type FaultConfig = z.infer<typeof faultConfigSchema>;
export type FaultSettings = z.input<typeof faultConfigSchema>;

export type FaultAction =
  | { kind: "none" }
  | { kind: "drop" }
  | { kind: "rate_limit" }
  | { kind: "server_error"; status: 500 | 502 | 503 }
  | { kind: "html" }
  | { kind: "malformed" };

export interface FaultDecision {
  latencyMs: number;
  action: FaultAction;
}

const SERVER_ERRORS = [500, 502, 503] as const;

export class FaultPlan {
  private config: FaultConfig;
  private sequence = 0;

  constructor(
    settings: FaultSettings,
    private readonly defaultSeed: number,
  ) {
    this.config = faultConfigSchema.parse(settings);
  }

  get settings(): FaultConfig {
    return { ...this.config };
  }

  /** Merges new knob values; the request sequence continues (use `restart` to replay it). */
  configure(settings: FaultSettings): void {
    this.config = faultConfigSchema.parse({ ...this.config, ...settings });
  }

  /** Starts the request sequence again from 0, so the same faults replay. */
  restart(): void {
    this.sequence = 0;
  }

  /** The fault for the next API request. Each knob draws its own number, so knobs don't shift each other. */
  next(): FaultDecision {
    const n = this.sequence++;
    const c = this.config;
    const seed = c.seed ?? this.defaultSeed;
    const draw = (knob: number) => unit(seed, n, knob);
    let action: FaultAction = { kind: "none" };
    if (draw(1) < c.dropRate) action = { kind: "drop" };
    else if (draw(2) < c.rate429) action = { kind: "rate_limit" };
    else if (draw(3) < c.rate5xx)
      action = { kind: "server_error", status: SERVER_ERRORS[hash32(seed, n, 4) % 3]! };
    else if (draw(5) < c.htmlRate) action = { kind: "html" };
    else if (draw(6) < c.malformedRate) action = { kind: "malformed" };
    return { latencyMs: c.latencyMs, action };
  }
}

/** What a broken edge proxy sends, with status 200 or as a gateway's 502/503: an HTML error page. */
export function htmlErrorPage(title: string): string {
  return `<!DOCTYPE html>
<html><head><title>${title}</title></head>
<body><h1>Something went wrong</h1><p>We are having a temporary problem. Please try again in a few minutes.</p></body></html>
`;
}
