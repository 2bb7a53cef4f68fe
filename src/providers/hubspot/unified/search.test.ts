/**
 * HubSpot companies found by name through the CRM search API, against the emulator: exact and not case
 * sensitive, both of a shared name listed, a longer name left out, names spread over requests of 100.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClosableHttpClient } from "../../../http/index.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "../emulator/index.ts";
import { emulatorClient } from "../test-harness.ts";
import { findCompaniesByName } from "./search.ts";

let emulator: HubSpotEmulator;
let http: ClosableHttpClient;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({ seed: 5, rateLimit: { maxPerInterval: 100_000 } });
  http = emulatorClient(emulator);
});
afterAll(async () => {
  await http.close();
  await emulator.close();
});

async function company(name: string): Promise<string> {
  const response = await http.request<{ id: string }>({
    method: "POST",
    path: "/crm/v3/objects/companies",
    body: { properties: { name } },
  });
  return response.body.id;
}

describe("findCompaniesByName", () => {
  it("finds companies by exact name, whatever the case, listing every one with the name", async () => {
    const engines = await company("Analytical Engines");
    await company("Analytical Engines Ltd");
    const dup1 = await company("Twin Co");
    const dup2 = await company("TWIN CO");
    // 150 names: two requests of the search API.
    const misses = Array.from({ length: 148 }, (_, i) => `nobody ${i}`);
    const found = await findCompaniesByName(http, ["analytical engines", ...misses, "twin co"]);
    expect(found).toEqual(
      new Map([
        ["analytical engines", [engines]],
        ["twin co", [dup1, dup2]],
      ]),
    );
  });
});
