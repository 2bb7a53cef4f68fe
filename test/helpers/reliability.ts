/**
 * Test helper for the reliability suite (test/reliability, docs/reliability.md): seeds that are printed and
 * can be replayed, a seeded random source for kill points, sizes a run can raise by environment variable,
 * and an OAuth2 connection to any emulator that declares an OAuth server (so token expiry is ridden out by
 * refreshing).
 */

import { oauthClientFor } from "../../src/app/provider-settings.ts";
import type { EmulatorHandle, OAuth2Credentials, ProviderDefinition } from "../../src/core/index.ts";
import { authorizeInEmulator } from "../../src/emulator/testing.ts";
import { OAuth2TokenManager } from "../../src/http/index.ts";

/**
 * A whole number from the environment variable `name`, or `fallback` (the CI size). Throws on anything but a
 * whole number above 0, so a typo never silently runs the small size.
 */
export function sizeFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number above 0, not "${raw}".`);
  return value;
}

/**
 * The seeds a test runs with: `count` seeds from `base` (base, base+1, …), or the comma-separated list in
 * RELIABILITY_SEEDS to replay a failure. Printed, so a failing CI log names the seed to replay.
 */
export function reliabilitySeeds(test: string, count: number, base: number): number[] {
  const override = process.env.RELIABILITY_SEEDS;
  const seeds = override
    ? override.split(",").map((part) => {
        const seed = Number(part.trim());
        if (!Number.isInteger(seed))
          throw new Error(`RELIABILITY_SEEDS holds "${part}", not a whole number.`);
        return seed;
      })
    : Array.from({ length: count }, (_, index) => base + index);
  console.log(JSON.stringify({ reliability: test, seeds, replay: `RELIABILITY_SEEDS=${seeds.join(",")}` }));
  return seeds;
}

/** A seeded source of numbers in [0, 1) (mulberry32): the same seed gives the same kill points. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const REDIRECT_URI = "http://127.0.0.1:9/connect/oauth/callback";

/**
 * Registers an OAuth app on the emulator, walks its consent screen and returns the granted credentials with
 * a token manager that refreshes them (single-flight) when the emulator refuses the access token as expired.
 */
export async function oauthConnectionTo(
  provider: ProviderDefinition,
  emulator: EmulatorHandle,
): Promise<{ credentials: OAuth2Credentials; tokens: OAuth2TokenManager }> {
  if (!emulator.registerOAuthApp) throw new Error(`${provider.displayName}'s emulator has no OAuth server.`);
  const app = {
    name: "Switchyard reliability",
    clientId: `${provider.name}-reliability`,
    clientSecret: `${provider.name}-reliability-secret`,
    redirectUris: [REDIRECT_URI],
  };
  const endpoints = emulator.registerOAuthApp(app);
  const config = oauthClientFor(provider, {
    oauth2: { clientId: app.clientId, clientSecret: app.clientSecret, ...endpoints },
  });
  if (!config) throw new Error(`${provider.displayName} declares no OAuth2.`);
  const credentials = await authorizeInEmulator(config, REDIRECT_URI);
  return { credentials, tokens: new OAuth2TokenManager({ config, credentials }) };
}
