/**
 * The unified CRM API as Merge's official SDK sees it: `new MergeClient({ apiKey, accountToken, baseUrl })`
 * pointed at a Switchyard server holding a HubSpot connection synced from the emulator by the scheduler.
 * Expected values come from the records cache the sync filled (the provider's raw payloads), never from the
 * code under test. This file checks what HubSpot's records map to, field for field, and linked accounts; what
 * every provider does alike (paging back, date and phone filters, 404s…) is in the contract suite
 * (test/contract/).
 */
import { MergeClient, MergeError } from "@mergeapi/merge-node-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSyncJob } from "../../src/app/syncs/sync-connection.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { createScheduler, createStoreSyncQueue, createSyncRunner } from "../../src/scheduler/index.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { listRecords, writeRecords } from "../../src/store/index.ts";

type Raw = Record<string, unknown> & { id: string };

let h: Harness;
let emulator: HubSpotEmulator;
let baseUrl: string;
let connectionId: string;
let accountToken: string;
let merge: MergeClient;
const cache: Record<"contacts" | "companies" | "deals" | "deal_stages", Raw[]> = {
  contacts: [],
  companies: [],
  deals: [],
  deal_stages: [],
};
/** A stage's label, from the cached pipeline stages (HubSpot's pipelines API). */
const stageLabel = (id: unknown) => cache.deal_stages.find((stage) => stage.id === id)?.label;

async function cachedRecords(stream: string): Promise<Raw[]> {
  const rows = await listRecords(h.store.db, connectionId, stream, { limit: 100_000 });
  return rows.map((row) => JSON.parse(row.payload) as Raw);
}

/** The status and body of the Merge error a call throws. */
async function refusal(call: Promise<unknown>): Promise<{ status?: number; body: unknown }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MergeError);
  return { status: (error as MergeError).statusCode, body: (error as MergeError).body };
}

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 42,
    counts: { contacts: 230, companies: 25, deals: 60 },
    rateLimit: { maxPerInterval: 100_000 },
  });
  h = await startHarness({ providers: { hubspot }, rateLimit: false });
  baseUrl = `${await h.app.listen({ port: 0, host: "127.0.0.1" })}/api`;
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: "hubspot",
      credentials: { type: "bearer", token: h.secret(emulator.tokens[0]!) },
      end_user: { id: "customer-7", email: "ops@acme.example", organization: "Acme" },
      config: { base_url: emulator.url },
    },
  });
  connectionId = created.id;
  accountToken = h.secret(created.account_token);
  // The connection's default sync is due at once: run it as the scheduler of `npm start` would.
  const errors: unknown[] = [];
  const scheduler = createScheduler({
    onError: (error) => errors.push(error),
    queue: createStoreSyncQueue(h.store.db),
    run: createSyncRunner({
      store: h.store,
      buildJob: (id, options) =>
        buildSyncJob({ store: h.store, vault: h.deps.vault, providers: h.deps.providers }, id, options),
    }),
  });
  expect((await scheduler.tick()).length).toBe(1);
  await scheduler.idle();
  expect(errors).toEqual([]);
  for (const stream of ["contacts", "companies", "deals", "deal_stages"] as const)
    cache[stream] = await cachedRecords(stream);
  expect(cache.contacts.length).toBeGreaterThan(200);
  merge = new MergeClient({ apiKey: h.keys.dev, accountToken, baseUrl });
}, 120_000);

afterAll(async () => {
  expect(await h.leakedSecrets()).toEqual([]);
  await h.close();
  await emulator.close();
});

describe("contacts", () => {
  it("pages through every live contact, 100 by default, each once, mapped from its cached payload", async () => {
    const first = await merge.crm.contacts.list();
    expect(first.data).toHaveLength(100);
    const seen = new Map<string, string>();
    for await (const contact of await merge.crm.contacts.list({ pageSize: 70 })) {
      expect(seen.has(contact.id!)).toBe(false);
      seen.set(contact.id!, contact.remoteId!);
      const raw = cache.contacts.find((record) => record.id === contact.remoteId);
      expect(raw, `contact ${contact.remoteId} is in the cache`).toBeDefined();
      expect(contact.firstName ?? null).toBe(raw?.firstname ?? null);
      expect(contact.emailAddresses?.[0]?.emailAddress ?? null).toBe(raw?.email ?? null);
      expect(contact.remoteWasDeleted).toBe(false);
      expect(contact.createdAt).toBeInstanceOf(Date);
    }
    expect(seen.size).toBe(cache.contacts.length);
  });
  it("filters by email address, remote id and account", async () => {
    const target = cache.contacts.find(
      (c) => typeof c.email === "string" && (c.companyIds as string[]).length > 0,
    )!;
    const byEmail = await merge.crm.contacts.list({ emailAddresses: (target.email as string).toUpperCase() });
    expect(byEmail.data.map((c) => c.remoteId)).toEqual([target.id]);
    const byRemoteId = await merge.crm.contacts.list({ remoteId: target.id });
    expect(byRemoteId.data).toHaveLength(1);
    const accountId = byRemoteId.data[0]!.account as string;
    const company = (target.companyIds as string[])[0];
    const expected = cache.contacts.filter((c) => (c.companyIds as string[])[0] === company).map((c) => c.id);
    const ofAccount = await merge.crm.contacts.list({ accountId, pageSize: 100 });
    expect(ofAccount.data.map((c) => c.remoteId).sort()).toEqual(expected.sort());
  });

  it("retrieves one with its account expanded and its remote data", async () => {
    const target = cache.contacts.find((c) => (c.companyIds as string[]).length > 0)!;
    const [listed] = (await merge.crm.contacts.list({ remoteId: target.id })).data;
    const contact = await merge.crm.contacts.retrieve(listed!.id!, {
      expand: "account",
      includeRemoteData: true,
    });
    const company = cache.companies.find((c) => c.id === (target.companyIds as string[])[0])!;
    expect(contact.account).toMatchObject({ remoteId: company.id, name: company.name });
    expect(contact.remoteData?.[0]).toMatchObject({ path: `/crm/v3/objects/contacts/${target.id}` });
    expect((contact.remoteData?.[0]?.data as Raw | undefined)?.id).toBe(target.id);
  });
  it("shows a deleted record only with include_deleted_data, flagged remote_was_deleted", async () => {
    const victim = cache.contacts[3]!;
    const at = new Date().toISOString();
    await writeRecords(h.store.db, connectionId, "contacts", {
      upserts: [
        {
          pk: victim.id,
          hash: "deleted",
          payload: JSON.stringify({ ...victim, archived: true }),
          deleted: true,
        },
      ],
      seen: [],
      at,
    });
    expect((await merge.crm.contacts.list({ remoteId: victim.id })).data).toEqual([]);
    const [deleted] = (await merge.crm.contacts.list({ remoteId: victim.id, includeDeletedData: true })).data;
    expect(deleted?.remoteWasDeleted).toBe(true);
    expect(deleted?.modifiedAt?.toISOString()).toBe(at);
  });
});

describe("accounts, opportunities, stages and users", () => {
  it("lists accounts as the cached companies", async () => {
    const names = new Map<string, unknown>();
    for await (const account of await merge.crm.accounts.list({ pageSize: 10 }))
      names.set(account.remoteId!, account.name);
    expect(names).toEqual(new Map(cache.companies.map((c) => [c.id, c.name ?? null])));
  });

  it("filters opportunities by status and expands their stage and account", async () => {
    const won = cache.deals.filter((d) => d.dealstage === "closedwon").map((d) => d.id);
    expect(won.length).toBeGreaterThan(0);
    const page = await merge.crm.opportunities.list({
      status: "WON",
      expand: ["stage", "account"],
      includeRemoteData: true,
    });
    expect(page.data.map((o) => o.remoteId).sort()).toEqual(won.sort());
    for (const opportunity of page.data) {
      expect(opportunity.stage).toMatchObject({ remoteId: "closedwon", name: "Closed Won" });
      expect((opportunity.remoteData?.[0]?.data as Raw | undefined)?.dealstage).toBe("closedwon");
      const company = (cache.deals.find((d) => d.id === opportunity.remoteId)!.companyIds as string[])[0];
      if (company) expect(opportunity.account).toMatchObject({ remoteId: company });
      else expect(opportunity.account ?? null).toBeNull();
    }
  });

  it("lists the deal pipelines' stages by label, every deal's among them, and filters opportunities by stage id", async () => {
    const stages = (await merge.crm.stages.list({ includeRemoteData: true })).data;
    expect(stages.map((s) => [s.remoteId, s.name]).sort()).toEqual(
      cache.deal_stages.map((stage) => [stage.id, stage.label]).sort(),
    );
    expect(stages.length).toBe(7);
    for (const deal of cache.deals) expect(stageLabel(deal.dealstage), deal.id).toBeDefined();
    expect(stages[0]!.remoteData?.[0]?.path).toMatch(/^\/crm\/v3\/pipelines\/deals\/default\/stages\/\w+$/);
    const stage = stages.find((s) => cache.deals.some((d) => d.dealstage === s.remoteId))!;
    const inStage = await merge.crm.opportunities.list({ stageId: stage.id!, pageSize: 100 });
    expect(inStage.data.map((o) => o.remoteId).sort()).toEqual(
      cache.deals
        .filter((d) => d.dealstage === stage.remoteId)
        .map((d) => d.id)
        .sort(),
    );
  });

  it("retrieves an account, an opportunity with its stage and account expanded, and a stage", async () => {
    const deal = cache.deals.find((d) => (d.companyIds as string[]).length > 0)!;
    const [listed] = (await merge.crm.opportunities.list({ remoteId: deal.id })).data;
    const opportunity = await merge.crm.opportunities.retrieve(listed!.id!, { expand: ["stage", "account"] });
    expect(opportunity).toMatchObject({
      remoteId: deal.id,
      name: deal.dealname,
      stage: { remoteId: deal.dealstage },
      account: { remoteId: (deal.companyIds as string[])[0] },
    });
    const account = await merge.crm.accounts.retrieve((opportunity.account as { id: string }).id, {
      includeRemoteData: true,
    });
    expect((account.remoteData?.[0]?.data as Raw | undefined)?.id).toBe((deal.companyIds as string[])[0]);
    const stage = await merge.crm.stages.retrieve((opportunity.stage as { id: string }).id);
    expect(stage).toMatchObject({ remoteId: deal.dealstage, name: stageLabel(deal.dealstage) });
  });
  it("serves HubSpot's active owners as users", async () => {
    const users = (await merge.crm.users.list()).data;
    const active = emulator.owners().filter((owner) => !owner.archived);
    expect(users.map((user) => [user.remoteId, user.email, user.isActive]).sort()).toEqual(
      active.map((owner) => [owner.id, owner.email, true]).sort(),
    );
  });
});

describe("linked accounts", () => {
  it("answers account-details for the token's connection", async () => {
    const details = await merge.crm.accountDetails.retrieve();
    expect(details).toMatchObject({
      id: connectionId,
      integrationSlug: "hubspot",
      integration: "HubSpot",
      endUserOriginId: "customer-7",
      endUserEmailAddress: "ops@acme.example",
      status: "COMPLETE",
    });
  });

  it("lists the environment's linked accounts, with filters, paging both ways", async () => {
    const all = await merge.crm.linkedAccounts.list();
    expect(all.data.map((a) => a.id)).toEqual([connectionId]);
    expect([all.response.next ?? null, all.response.previous ?? null]).toEqual([null, null]);
    // Two more connections: pages of one, forward to the end and back to the start.
    const more = [];
    for (const id of ["customer-8", "customer-9"]) {
      const other = await h.dev.post("/v1/connections", {
        body: {
          provider: "hubspot",
          credentials: { type: "bearer", token: emulator.tokens[0]! },
          end_user: { id },
          config: { base_url: emulator.url },
        },
      });
      more.push(other.id);
    }
    const ids = [connectionId, ...more].sort();
    const pages = [await merge.crm.linkedAccounts.list({ pageSize: 1 })];
    while (pages.at(-1)!.response.next) {
      pages.push(await merge.crm.linkedAccounts.list({ pageSize: 1, cursor: pages.at(-1)!.response.next! }));
    }
    expect(pages.map((p) => p.data[0]!.id)).toEqual(ids);
    expect(pages[0]!.response.previous ?? null).toBeNull();
    const back = await merge.crm.linkedAccounts.list({ pageSize: 1, cursor: pages[2]!.response.previous! });
    expect(back.data.map((a) => a.id)).toEqual([ids[1]]);
    const start = await merge.crm.linkedAccounts.list({ pageSize: 1, cursor: back.response.previous! });
    expect(start.data.map((a) => a.id)).toEqual([ids[0]]);
    expect(start.response.previous ?? null).toBeNull();
    for (const id of more) await h.dev.delete("/v1/connections/:id", { params: { id } });
    expect(all.data[0]).toMatchObject({ endUserOrganizationName: "Acme", integration: { slug: "hubspot" } });
    expect((await merge.crm.linkedAccounts.list({ endUserOriginId: "someone-else" })).data).toEqual([]);
    expect((await merge.crm.linkedAccounts.list({ status: "RELINK_NEEDED" })).data).toEqual([]);
  });

  it("reports the sync status of each model from the run that synced it", async () => {
    const statuses = (await merge.crm.syncStatus.list()).data;
    expect(statuses.map((s) => s.modelName).sort()).toEqual([
      "Account",
      "Contact",
      "Opportunity",
      "Stage",
      "User",
    ]);
    for (const status of statuses) {
      expect(status).toMatchObject({ status: "DONE", lastSyncResult: "DONE", isInitialSync: false });
      expect(status.lastSyncFinished).toBeInstanceOf(Date);
    }
  });

  it("refuses a wrong account token, a missing one, and another environment's token", async () => {
    const wrong = new MergeClient({ apiKey: h.keys.dev, accountToken: "sy_acct_nope", baseUrl });
    const refused = await refusal(wrong.crm.contacts.list());
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ detail: expect.stringContaining("account token is not valid") });
    const none = new MergeClient({ apiKey: h.keys.dev, baseUrl });
    expect((await refusal(none.crm.accountDetails.retrieve())).status).toBe(401);

    const prodConnection = await h.prod.post("/v1/connections", {
      body: {
        provider: "hubspot",
        credentials: { type: "bearer", token: "pat-na1-prod" },
        end_user: { id: "customer-prod" },
      },
    });
    const prodToken = h.secret(prodConnection.account_token);
    const crossed = new MergeClient({ apiKey: h.keys.dev, accountToken: prodToken, baseUrl });
    expect((await refusal(crossed.crm.contacts.list())).status).toBe(401);
    const own = new MergeClient({ apiKey: h.keys.prod, accountToken: prodToken, baseUrl });
    expect((await own.crm.accountDetails.retrieve()).id).toBe(prodConnection.id);
    // The prod connection never synced: its lists are empty, and dev's records are not reachable from it.
    expect((await own.crm.contacts.list()).data).toEqual([]);
  });

  it("refuses a wrong API key with 401 {detail}", async () => {
    const client = new MergeClient({ apiKey: "sy_dev_wrong", accountToken, baseUrl });
    const { status, body } = await refusal(client.crm.contacts.list());
    expect(status).toBe(401);
    expect(body).toEqual({ detail: expect.any(String) });
  });

  it("rotates the account token: the new one works, the old one stops", async () => {
    const rotated = await h.dev.post("/v1/connections/:id/account-token", { params: { id: connectionId } });
    const fresh = h.secret(rotated.account_token);
    const old = await refusal(merge.crm.accountDetails.retrieve());
    expect(old.status).toBe(401);
    merge = new MergeClient({ apiKey: h.keys.dev, accountToken: fresh, baseUrl });
    expect((await merge.crm.accountDetails.retrieve()).id).toBe(connectionId);
  });
});
