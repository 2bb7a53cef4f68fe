/**
 * HubSpot limits an OAuth app per portal: the emulator counts every access token of one app against the
 * app's windows (a private app token keeps its own), and reports each window's accepted and refused
 * requests at `GET /_emulator/rate-limit/windows`, which bench/rate-limit measures a client's use by.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeInEmulator } from "../../../emulator/testing.ts";
import { hubspot } from "../index.ts";
import { DEFAULT_OAUTH_SCOPES, type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";

const REDIRECT = "http://127.0.0.1:9/callback";
const APP = { clientId: "per-app-client", clientSecret: "per-app-secret" };
let emulator: HubSpotEmulator;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    counts: { contacts: 2, companies: 1, deals: 1 },
    rateLimit: { maxPerInterval: 3 },
    oauthApps: [{ ...APP, redirectUris: [REDIRECT], scopes: [...DEFAULT_OAUTH_SCOPES] }],
  });
});
afterAll(async () => {
  await emulator?.close();
});

const authorise = () =>
  authorizeInEmulator(
    {
      provider: "hubspot",
      authorizationUrl: `${emulator.url}/oauth/authorize`,
      tokenUrl: `${emulator.url}/oauth/v1/token`,
      ...APP,
      clientAuth: "client_secret_post",
      scopes: hubspot.oauth2?.scopes ?? [],
      pkce: true,
    },
    REDIRECT,
  );

const get = (token: string) =>
  fetch(`${emulator.url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${token}` } });

describe("the HubSpot emulator's rate limit per OAuth app", () => {
  it("counts every token of one app against one window, and a private app token apart", async () => {
    const [a, b] = [await authorise(), await authorise()];
    expect((await get(a.accessToken)).status).toBe(200);
    expect((await get(a.accessToken)).status).toBe(200);
    expect((await get(b.accessToken)).status).toBe(200);
    expect((await get(b.accessToken)).status).toBe(429);
    expect((await get(emulator.tokens[0]!)).status).toBe(200);

    const response = await fetch(`${emulator.url}/_emulator/rate-limit/windows`);
    const { windows } = (await response.json()) as {
      windows: { caller: string; window: string; accepted: number; refused: number }[];
    };
    const interval = windows.filter((w) => w.window === "TEN_SECONDLY_ROLLING");
    expect(interval.map((w) => [w.accepted, w.refused])).toEqual([
      [3, 1],
      [1, 0],
    ]);
    expect(interval[0]!.caller).toMatch(/^app:/);
  });
});
