/**
 * The official client's owners calls against the emulator's seeded owners.
 */
import type { Client } from "@hubspot/api-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";
import { officialClient } from "./testing.ts";

let emulator: HubSpotEmulator;
let client: Client;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({ seed: 5, owners: 12, rateLimit: { maxPerInterval: 100_000 } });
  client = officialClient(emulator);
});
afterAll(() => emulator.close());

describe("owners through the official client", () => {
  it("seeds the same owners for the same seed, some of them deactivated", async () => {
    const again = await startHubSpotEmulator({ seed: 5, owners: 12 });
    const other = await startHubSpotEmulator({ seed: 6, owners: 12 });
    try {
      expect(again.owners()).toEqual(emulator.owners());
      expect(other.owners()).not.toEqual(emulator.owners());
    } finally {
      await Promise.all([again.close(), other.close()]);
    }
    expect(emulator.owners()).toHaveLength(12);
    expect(emulator.owners().some((owner) => owner.archived)).toBe(true);
    expect(emulator.owners()[0]?.archived).toBe(false);
  });

  it("pages through active owners with ownersApi.getPage", async () => {
    const active = emulator.owners().filter((owner) => !owner.archived);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.owners.ownersApi.getPage(undefined, after, 3);
      pages++;
      for (const owner of page.results) {
        seen.push(owner.id);
        expect(owner.createdAt).toBeInstanceOf(Date);
        expect(owner.archived).toBe(false);
        expect(owner.userId).toBe(owner.userIdIncludingInactive);
      }
      after = page.paging?.next?.after;
    } while (after);
    expect(pages).toBe(Math.ceil(active.length / 3));
    expect(seen).toEqual(active.map((owner) => owner.id));
  });

  it("lists deactivated owners only with archived=true, without a userId", async () => {
    const archived = emulator.owners().filter((owner) => owner.archived);
    const page = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, true);
    expect(page.results.map((owner) => owner.id)).toEqual(archived.map((owner) => owner.id));
    expect(page.results.every((owner) => owner.userId === undefined)).toBe(true);
  });

  it("filters by email and reads one owner by id or by userId", async () => {
    const owner = emulator.owners().filter((candidate) => !candidate.archived)[1]!;
    const byEmail = await client.crm.owners.ownersApi.getPage(owner.email.toUpperCase());
    expect(byEmail.results.map((result) => result.id)).toEqual([owner.id]);
    const active = emulator.owners()[0]!;
    const byId = await client.crm.owners.ownersApi.getById(Number(active.id));
    expect(byId).toMatchObject({
      id: active.id,
      email: active.email,
      firstName: active.firstName,
      lastName: active.lastName,
      teams: [{ id: active.teams[0]!.id, name: active.teams[0]!.name, primary: true }],
    });
    expect(byId.updatedAt.toISOString()).toBe(active.updatedAt);
    const byUser = await client.crm.owners.ownersApi.getById(active.userIdIncludingInactive, "userId");
    expect(byUser.id).toBe(active.id);
    const missing = await client.crm.owners.ownersApi.getById(1).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(missing).toMatchObject({ code: 404, body: { status: "error", category: "OBJECT_NOT_FOUND" } });
  });
});
