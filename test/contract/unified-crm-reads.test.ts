/**
 * The unified CRM API's reads, filters, pagination and deletes, as Merge's official SDK sees them, for every
 * provider under contract (CONTRACT_PROVIDERS): one suite, unchanged for each. Its world comes only from the registries (the
 * provider's definition and emulator handle, its mappers): no provider is named here.
 *
 * Expected values come from the records cache the sync filled (the provider's raw payloads) and the
 * emulator's truth, never from the code under test: every object must be one cached payload (its
 * `remote_data`), every reference must point at an object whose remote id the payload holds, and the
 * filters must pick exactly what the unfiltered list shows.
 */
import { MergeError } from "@mergeapi/merge-node-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncRecord } from "../../src/core/index.ts";
import { canonicalJson } from "../../src/engine/canonical-json.ts";
import { unifiedMappers } from "../../src/providers/unified-mappers.ts";
import type { CrmModelName } from "../../src/unified/mappers.ts";
import {
  CONTRACT_PROVIDERS,
  type CrmWorld,
  listAll,
  MODELS,
  mostCommon,
  type Obj,
  openCrmWorld,
  refId,
  valuesIn,
} from "./unified-crm-world.ts";

/** The references each model carries, and the model each points at. */
const REFERENCES: Partial<Record<CrmModelName, Record<string, CrmModelName>>> = {
  Contact: { account: "Account", owner: "User" },
  Account: { owner: "User" },
  Opportunity: { account: "Account", owner: "User", stage: "Stage" },
};

describe.each(CONTRACT_PROVIDERS)("%s", (_name, provider) => {
  let world: CrmWorld;
  /** Every live object of each mapped model, with remote data, listed once before the emulator changes. */
  const all = new Map<CrmModelName, Obj[]>();
  const byId = (model: CrmModelName) => new Map((all.get(model) ?? []).map((object) => [object.id!, object]));
  const rawOf = (object: Obj) => object.remoteData?.[0]?.data;
  /** How many references to each model the reference checks resolved. */
  const resolved = new Map<CrmModelName, number>();

  beforeAll(async () => {
    world = await openCrmWorld(provider);
    for (const model of MODELS)
      if (world.maps(model))
        all.set(model, await listAll(world.endpoint(model), { includeRemoteData: true }));
    expect(all.get("Contact")!.length).toBeGreaterThan(20);
  }, 180_000);

  afterAll(async () => {
    await world?.close();
  });

  describe("lists", () => {
    it.for(MODELS)(
      "%s: each object is one cached payload of its stream, each cached payload one object",
      async (model, { skip }) => {
        // Skipped for a model the provider does not map, or finds on another model's records (no payload).
        if (!world.maps(model) || world.derived(model)) skip();
        const cached = await world.cached(model);
        const truth = await world.truth(model);
        // The records cache holds what the emulator holds (the ground the rest stands on).
        if (truth) expect(new Set(cached.map((record) => record.pk))).toEqual(new Set(truth.live.keys()));
        const payloads = new Map(
          cached.map((record) => [canonicalJson(record.payload as SyncRecord), record]),
        );
        const objects = all.get(model)!;
        expect(objects).toHaveLength(cached.length);
        const matched = new Set<string>();
        for (const object of objects) {
          const raw = rawOf(object);
          const record = payloads.get(canonicalJson(raw as SyncRecord));
          expect(record, `${model} ${object.remoteId}: its remote data is a cached payload`).toBeDefined();
          matched.add(record!.pk);
          expect(valuesIn(raw).has(String(object.remoteId))).toBe(true);
          // The path is the provider's API path of the record: it ends with an id the payload holds.
          const path = object.remoteData![0]!.path;
          expect(path.startsWith("/")).toBe(true);
          expect([...valuesIn(raw)].some((value) => path.endsWith(`/${encodeURIComponent(value)}`))).toBe(
            true,
          );
          expect(object.remoteWasDeleted).toBe(false);
          expect(object.createdAt).toBeInstanceOf(Date);
        }
        expect(matched.size).toBe(cached.length);
      },
    );

    it.each(Object.keys(REFERENCES) as CrmModelName[])(
      "%s: every reference points at an object whose remote id the payload holds",
      async (model) => {
        for (const [field, target] of Object.entries(REFERENCES[model]!)) {
          // A provider that does not serve the target model (yet) leaves its references unresolvable.
          if (!world.maps(target)) continue;
          const targets = byId(target);
          for (const object of all.get(model)!) {
            const id = refId(object[field]);
            if (id === null) continue;
            const referenced = targets.get(id);
            expect(referenced, `${model} ${object.remoteId}.${field} → a listed ${target}`).toBeDefined();
            expect(valuesIn(rawOf(object)).has(String(referenced!.remoteId))).toBe(true);
            resolved.set(target, (resolved.get(target) ?? 0) + 1);
          }
        }
      },
    );

    it("resolved references to accounts and stages (what every CRM's records hold)", () => {
      for (const target of ["Account", "Stage"] as const)
        expect(resolved.get(target) ?? 0, target).toBeGreaterThan(0);
    });

    it("serves stages that opportunities are in, and users when the provider maps them", async () => {
      const stages = all.get("Stage")!;
      const used = new Set(all.get("Opportunity")!.map((o) => refId(o.stage)));
      expect(stages.filter((stage) => used.has(stage.id!)).length).toBeGreaterThan(1);
      // Every stage is named, by a value its own payload holds (a label, not only an id).
      for (const stage of stages) {
        expect(typeof stage.name).toBe("string");
        expect(valuesIn(rawOf(stage)).has(String(stage.name)), `stage ${stage.remoteId}`).toBe(true);
      }
      if (world.maps("User")) {
        const users = all.get("User")!;
        expect(users.length).toBeGreaterThan(0);
        for (const user of users) expect(valuesIn(rawOf(user)).has(String(user.email))).toBe(true);
      } else expect((await world.endpoint("User").list()).data).toEqual([]);
    });

    it("pages with page_size and cursor, each object once, and goes back with previous", async () => {
      const contacts = world.endpoint("Contact");
      const seen: string[] = [];
      let page = await contacts.list({ pageSize: 7 });
      const first = page.data.map((c) => c.id!);
      for (;;) {
        expect(page.data.length).toBeLessThanOrEqual(7);
        seen.push(...page.data.map((c) => c.id!));
        if (!page.response.next) break;
        page = await contacts.list({ pageSize: 7, cursor: page.response.next });
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(new Set(seen)).toEqual(new Set(all.get("Contact")!.map((c) => c.id)));
      const second = await contacts.list({
        pageSize: 7,
        cursor: (await contacts.list({ pageSize: 7 })).response.next!,
      });
      const back = await contacts.list({ pageSize: 7, cursor: second.response.previous! });
      expect(back.data.map((c) => c.id)).toEqual(first);
      // Larger pages are served as 100, as Merge does.
      expect((await contacts.list({ pageSize: 1000 })).data.length).toBe(Math.min(100, seen.length));
    });
  });

  describe("filters", () => {
    /**
     * Filters `model` on a reference field with its most common value, and compares with the full list. When
     * no object of the model has the reference, a value another model references (or a user) must find none.
     */
    async function expectReferenceFilter(model: CrmModelName, field: string, param: string) {
      const objects = all.get(model)!;
      const own = mostCommon(objects.map((object) => refId(object[field])));
      const referenced = mostCommon(MODELS.flatMap((m) => (all.get(m) ?? []).map((o) => refId(o[field]))));
      // When no object has an owner, a user's id must find none.
      const value = own ?? referenced ?? (field === "owner" ? all.get("User")?.[0]?.id : undefined);
      expect(value, `some object has a ${field}`).toBeDefined();
      const expected = objects.filter((object) => refId(object[field]) === value).map((o) => o.id);
      const found = await listAll(world.endpoint(model), { [param]: value });
      expect(found.map((o) => o.id).sort()).toEqual(expected.sort());
    }

    it("contacts by account_id, accounts and opportunities by owner_id", async () => {
      await expectReferenceFilter("Contact", "account", "accountId");
      await expectReferenceFilter("Account", "owner", "ownerId");
      await expectReferenceFilter("Opportunity", "owner", "ownerId");
    });

    it("opportunities by account_id, stage_id and status; every one is OPEN, WON or LOST", async () => {
      await expectReferenceFilter("Opportunity", "account", "accountId");
      await expectReferenceFilter("Opportunity", "stage", "stageId");
      const opportunities = all.get("Opportunity")!;
      const statuses = new Set(opportunities.map((o) => o.status));
      expect([...statuses].every((status) => ["OPEN", "WON", "LOST"].includes(String(status)))).toBe(true);
      expect(statuses.size).toBeGreaterThan(1);
      for (const status of statuses) {
        const found = await listAll(world.endpoint("Opportunity"), { status });
        const expected = opportunities.filter((o) => o.status === status).map((o) => o.id);
        expect(found.map((o) => o.id).sort()).toEqual(expected.sort());
      }
    });

    it("contacts by email address and phone number (exact, case-insensitive), found in the payload", async () => {
      const contacts = all.get("Contact")!;
      const emailsOf = (c: Obj) =>
        ((c.emailAddresses ?? []) as { emailAddress?: string }[]).map((e) =>
          String(e.emailAddress).toLowerCase(),
        );
      const target = contacts.find((c) => emailsOf(c).length > 0)!;
      const email = emailsOf(target)[0]!;
      expect([...valuesIn(rawOf(target))].map((v) => v.toLowerCase())).toContain(email);
      const byEmail = await listAll(world.endpoint("Contact"), { emailAddresses: email.toUpperCase() });
      const expected = contacts.filter((c) => emailsOf(c).includes(email)).map((c) => c.id);
      expect(byEmail.map((c) => c.id).sort()).toEqual(expected.sort());
      expect(expected).toContain(target.id);

      const phonesOf = (c: Obj) =>
        ((c.phoneNumbers ?? []) as { phoneNumber?: string }[]).map((p) => p.phoneNumber);
      const withPhone = contacts.find((c) => phonesOf(c).length > 0)!;
      const phone = phonesOf(withPhone)[0]!;
      const byPhone = await listAll(world.endpoint("Contact"), { phoneNumbers: phone });
      expect(byPhone.map((c) => c.id)).toContain(withPhone.id);
      for (const found of byPhone) expect(phonesOf(found)).toContain(phone);
    });

    it("accounts by name (exact, case-insensitive); an unknown name finds none", async () => {
      const accounts = all.get("Account")!;
      const target = accounts.find((a) => typeof a.name === "string" && a.name !== "")!;
      const name = String(target.name);
      const found = await listAll(world.endpoint("Account"), { name: name.toUpperCase() });
      const expected = accounts
        .filter((a) => String(a.name).toLowerCase() === name.toLowerCase())
        .map((a) => a.id);
      expect(expected).toContain(target.id);
      expect(found.map((a) => a.id).sort()).toEqual(expected.sort());
      expect((await world.endpoint("Account").list({ name: `${name} (none such)` })).data).toEqual([]);
    });

    it("opportunities by remote_created_after: those the provider created after the time", async () => {
      const opportunities = all.get("Opportunity")!;
      const createdAt = (o: Obj) => (o.remoteCreatedAt instanceof Date ? o.remoteCreatedAt.getTime() : null);
      const times = opportunities.flatMap((o) => createdAt(o) ?? []).sort((a, b) => a - b);
      expect(new Set(times).size).toBeGreaterThan(2);
      // A bound between two creation times: some opportunities on each side of it.
      const bound = new Date(times[Math.floor(times.length / 2)]!);
      const found = await listAll(world.endpoint("Opportunity"), { remoteCreatedAfter: bound });
      const expected = opportunities.filter((o) => (createdAt(o) ?? 0) > bound.getTime()).map((o) => o.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(opportunities.length);
      expect(found.map((o) => o.id).sort()).toEqual(expected.sort());
      // Combined with another filter, both apply.
      const status = String(opportunities.find((o) => (createdAt(o) ?? 0) > bound.getTime())!.status);
      const both = await listAll(world.endpoint("Opportunity"), { remoteCreatedAfter: bound, status });
      expect(both.map((o) => o.id).sort()).toEqual(
        opportunities
          .filter((o) => (createdAt(o) ?? 0) > bound.getTime() && o.status === status)
          .map((o) => o.id)
          .sort(),
      );
    });

    it.for(MODELS)(
      "%s by remote_id, and by when Switchyard stored and changed its copies",
      async (model, { skip }) => {
        if (!world.maps(model)) skip();
        const endpoint = world.endpoint(model);
        const target = all.get(model)![0]!;
        expect((await endpoint.list({ remoteId: target.remoteId })).data.map((o) => o.id)).toEqual([
          target.id,
        ]);
        const future = new Date(Date.now() + 3_600_000);
        expect((await endpoint.list({ modifiedAfter: future })).data).toEqual([]);
        expect((await endpoint.list({ createdBefore: new Date(0) })).data).toEqual([]);
        expect(await listAll(endpoint, { modifiedBefore: future })).toHaveLength(all.get(model)!.length);
      },
    );

    it("users by email, when the provider maps them", async ({ skip }) => {
      if (!world.maps("User")) skip();
      const user = all.get("User")!.find((u) => typeof u.email === "string")!;
      const found = await world.endpoint("User").list({ email: user.email });
      expect(found.data.map((u) => u.id)).toContain(user.id);
    });
  });

  describe("retrieve and expand", () => {
    it.for(MODELS)(
      "%s: retrieves each listed object by id, and 404s an unknown one",
      async (model, { skip }) => {
        if (!world.maps(model)) skip();
        const endpoint = world.endpoint(model);
        for (const listed of all.get(model)!.slice(0, 3)) {
          const one = await endpoint.retrieve(listed.id!, { includeRemoteData: true });
          expect(one).toEqual(listed);
        }
        const refused = await endpoint.retrieve("00000000-0000-8000-8000-000000000000").then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(MergeError);
        expect((refused as MergeError).statusCode).toBe(404);
        expect((refused as MergeError).body).toEqual({ detail: expect.any(String) });
      },
    );

    it.each(Object.keys(REFERENCES) as CrmModelName[])(
      "%s: expand replaces each reference by the object it names",
      async (model) => {
        const fields = Object.keys(REFERENCES[model]!);
        const target = all
          .get(model)!
          .find((object) => fields.every((field) => refId(object[field]) !== null || field === "owner"));
        expect(target, `a ${model} with its references set`).toBeDefined();
        const expanded = await world.endpoint(model).retrieve(target!.id!, { expand: fields });
        for (const [field, referenced] of Object.entries(REFERENCES[model]!)) {
          const id = refId(target![field]);
          if (id === null) continue;
          if (!world.maps(referenced)) {
            // Nothing to expand into: the id stays.
            expect(expanded[field]).toBe(id);
            continue;
          }
          const object = byId(referenced).get(id)!;
          expect(expanded[field]).toMatchObject({ id, remoteId: object.remoteId });
        }
        const listed = (await world.endpoint(model).list({ remoteId: target!.remoteId, expand: fields }))
          .data;
        expect(listed.map((o) => refId(o[fields[0]!]))).toEqual([refId(target![fields[0]!])]);
      },
    );
  });

  describe("after the provider changes and deletes records, and a re-sync", () => {
    it("lists what changed since, hides deleted ones unless include_deleted_data, and reports sync status", async () => {
      const stream = world.streamOf("Contact");
      const before = await world.truth("Contact");
      expect(before, `the emulator knows ${stream}`).toBeDefined();
      const since = new Date();
      await world.emulator.mutate({ [stream]: { creates: 2, updates: 3, deletes: 2 } });
      const after = (await world.truth("Contact"))!;
      await world.resync();

      const created = [...after.live.keys()].filter(
        (id) => !before!.live.has(id) && !before!.deleted.has(id),
      );
      const deleted = [...after.deleted].filter((id) => !before!.deleted.has(id));
      const updated = [...after.live].filter(
        ([id, record]) =>
          before!.live.has(id) && canonicalJson(record) !== canonicalJson(before!.live.get(id)!),
      );
      expect([created.length, deleted.length, updated.length]).toEqual([2, 2, 3]);
      const contacts = world.endpoint("Contact");
      const remoteIds = (objects: Obj[]) => objects.map((o) => String(o.remoteId)).sort();

      expect(remoteIds(await listAll(contacts))).toEqual([...after.live.keys()].sort());
      expect(remoteIds(await listAll(contacts, { createdAfter: since }))).toEqual(created.sort());
      const changed = await listAll(contacts, { modifiedAfter: since, includeDeletedData: true });
      expect(remoteIds(changed)).toEqual([...created, ...deleted, ...updated.map(([id]) => id)].sort());
      for (const id of deleted) {
        expect((await contacts.list({ remoteId: id })).data).toEqual([]);
        const [gone] = (await contacts.list({ remoteId: id, includeDeletedData: true })).data;
        expect(gone).toMatchObject({ remoteId: id, remoteWasDeleted: true });
      }

      const statuses = (await world.merge.crm.syncStatus.list()).data;
      expect(statuses.map((s) => s.modelName).sort()).toEqual(unifiedMappers.modelsOf(provider.name).sort());
      for (const status of statuses) expect(status).toMatchObject({ status: "DONE", isInitialSync: false });
    });

    it.for(["Account", "Opportunity"] as const)(
      "%s: a record the provider deletes is gone after a sync, and shown with remote_was_deleted only with include_deleted_data",
      async (model) => {
        const before = await world.truth(model);
        expect(before, `the emulator knows ${world.streamOf(model)}`).toBeDefined();
        await world.emulator.mutate({ [world.streamOf(model)]: { deletes: 1 } });
        const after = (await world.truth(model))!;
        const [gone, ...more] = [...after.deleted].filter((id) => !before!.deleted.has(id));
        expect(more).toEqual([]);
        const endpoint = world.endpoint(model);
        // Until a sync runs, the cache still holds it as it was.
        expect((await endpoint.list({ remoteId: gone })).data).toHaveLength(1);
        await world.resync();
        expect((await endpoint.list({ remoteId: gone })).data).toEqual([]);
        const listed = (await listAll(endpoint)).map((o) => String(o.remoteId)).sort();
        expect(listed).toEqual([...after.live.keys()].sort());
        const [shown] = (await endpoint.list({ remoteId: gone, includeDeletedData: true })).data;
        expect(shown).toMatchObject({ remoteId: gone, remoteWasDeleted: true });
        const all = await listAll(endpoint, { includeDeletedData: true });
        expect(all.filter((o) => o.remoteWasDeleted).map((o) => String(o.remoteId))).toContain(gone);
      },
    );
  });
});
