/**
 * What reverse ETL's batches rely on, through the official client's batchApi against the emulator: a batch
 * upsert by email sent twice updates the contacts the first one created (no duplicates), and a batch create
 * with one invalid email is refused whole with HubSpot's message naming the value.
 */
import type { Client } from "@hubspot/api-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";
import { failureOf, officialClient } from "./testing.ts";

let emulator: HubSpotEmulator;
let client: Client;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 31,
    counts: { contacts: 5, companies: 2, deals: 2 },
    rateLimit: { maxPerInterval: 100_000 },
  });
  client = officialClient(emulator);
});
afterAll(() => emulator.close());

const inputs = (name: string) =>
  [1, 2, 3].map((i) => ({
    id: `u${i}@upsert.example`,
    idProperty: "email",
    objectWriteTraceId: String(i - 1),
    properties: { firstname: `${name}${i}` },
  }));

it("a batch upsert by email sent twice creates once, then updates the same contacts", async () => {
  const first = await client.crm.contacts.batchApi.upsert({ inputs: inputs("First") });
  expect(first.results.map((r) => r._new)).toEqual([true, true, true]);
  const again = await client.crm.contacts.batchApi.upsert({ inputs: inputs("Again") });
  expect(again.results.map((r) => r._new)).toEqual([false, false, false]);
  expect(new Set(again.results.map((r) => r.id))).toEqual(new Set(first.results.map((r) => r.id)));
  expect(again.results.map((r) => r.objectWriteTraceId).sort()).toEqual(["0", "1", "2"]);
  const live = [...emulator.groundTruth("contacts").records].filter((r) =>
    String(r.properties.email ?? "").endsWith("@upsert.example"),
  );
  expect(live).toHaveLength(3);
  expect(live.map((r) => r.properties.firstname).sort()).toEqual(["Again1", "Again2", "Again3"]);
});

it("a batch create with one invalid email is refused whole, naming the value", async () => {
  const before = emulator.groundTruth("contacts").records.length;
  const failure = await failureOf(
    client.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: "ok@create.example" }, associations: [] },
        { properties: { email: "not-an-email" }, associations: [] },
      ],
    }),
  );
  expect(failure.code).toBe(400);
  expect(String(failure.body.message)).toContain("Email address not-an-email is invalid");
  expect(emulator.groundTruth("contacts").records.length).toBe(before);
});
