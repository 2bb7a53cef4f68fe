/**
 * The unified CRM API's writes, as Merge's official SDK makes them (`create`, `partialUpdate`, the meta
 * endpoints), and the actions route they run through, for every provider under contract (CONTRACT_PROVIDERS:
 * an emulator, read mappers and unified writers): one suite, unchanged for each (no provider is named here). What was written is checked in
 * the emulator's truth (the provider's own state), read back at once through the unified API, and read again
 * after a resync has re-read it from the provider.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unifiedWriters } from "../../src/providers/unified-writers.ts";
import type { CrmModelName } from "../../src/unified/mappers.ts";
import type { WriteContext } from "../../src/unified/writers.ts";
import {
  CONTRACT_PROVIDERS,
  type CrmWorld,
  listAll,
  type Obj,
  openCrmWorld,
  refusal,
  valuesIn,
} from "./unified-crm-world.ts";

/** In every name written, so that none matches a seeded record. */
const TAG = "Zqx";

describe.each(CONTRACT_PROVIDERS)("%s", (_name, provider) => {
  let world: CrmWorld;
  let account: Obj;
  let stage: Obj | undefined;
  /** What each write should read as once a resync has re-read it from the provider. */
  const written: { model: CrmModelName; id: string; fields: Record<string, unknown> }[] = [];
  const live = async (model: CrmModelName) => (await world.truth(model))!.live;
  /**
   * The provider holds the object, with these names among the fields its emulator vouches for (some vouch
   * only for the id and the cursor field; the resync test checks every written value of every provider).
   */
  const expectAtProvider = async (model: CrmModelName, remoteId: string, ...values: string[]) => {
    const record = (await live(model)).get(remoteId);
    expect(record, `${model} ${remoteId} at the provider`).toBeDefined();
    if (Object.keys(record!).length <= 2) return;
    const held = [...valuesIn(record)];
    for (const value of values)
      expect(
        held.some((v) => v.includes(value)),
        value,
      ).toBe(true);
  };

  beforeAll(async () => {
    world = await openCrmWorld(provider);
    account = (await world.merge.crm.accounts.list({ pageSize: 1 })).data[0] as Obj;
    stage = (await world.merge.crm.stages.list({ pageSize: 5 })).data.find((s) => s.name) as Obj | undefined;
    expect(account).toBeDefined();
  }, 180_000);

  afterAll(async () => {
    await world?.close();
  });

  it("creates a contact at the provider, at its account, and reads it back at once", async () => {
    const email = `ada.${provider.name}@writes.example`;
    const before = (await live("Contact")).size;
    const created = await world.merge.crm.contacts.create({
      model: {
        firstName: "Ada",
        lastName: `Lovelace${TAG}`,
        emailAddresses: [{ emailAddress: email, emailAddressType: "Work" }],
        account: account.id!,
      },
    });
    expect(created.errors).toEqual([]);
    expect(created.model).toMatchObject({
      firstName: "Ada",
      lastName: `Lovelace${TAG}`,
      account: account.id,
    });
    expect((await live("Contact")).size).toBe(before + 1);
    await expectAtProvider("Contact", created.model.remoteId!, `Lovelace${TAG}`);
    const read = await world.merge.crm.contacts.retrieve(created.model.id!);
    expect(read.emailAddresses?.[0]?.emailAddress).toBe(email);
    const found = await world.merge.crm.contacts.list({ emailAddresses: email });
    expect(found.data.map((contact) => contact.id)).toEqual([created.model.id]);
    written.push({
      model: "Contact",
      id: created.model.id!,
      fields: {
        lastName: `Lovelace${TAG}`,
        account: account.id,
        emailAddresses: [expect.objectContaining({ emailAddress: email })],
      },
    });
  });

  it("updates only the fields a PATCH names", async () => {
    const created = await world.merge.crm.contacts.create({
      model: { firstName: "Grace", lastName: `Hopper${TAG}` },
    });
    const updated = await world.merge.crm.contacts.partialUpdate(created.model.id!, {
      model: { lastName: `Murray${TAG}` },
    });
    expect(updated.errors).toEqual([]);
    expect(updated.model).toMatchObject({
      id: created.model.id,
      firstName: "Grace",
      lastName: `Murray${TAG}`,
    });
    await expectAtProvider("Contact", created.model.remoteId!, `Murray${TAG}`);
    expect((await world.merge.crm.contacts.retrieve(created.model.id!)).lastName).toBe(`Murray${TAG}`);
    written.push({
      model: "Contact",
      id: created.model.id!,
      fields: { firstName: "Grace", lastName: `Murray${TAG}` },
    });
  });

  it("creates and updates an account", async () => {
    const created = await world.merge.crm.accounts.create({ model: { name: `Analytical Engines ${TAG}` } });
    expect(created.model.name).toBe(`Analytical Engines ${TAG}`);
    await expectAtProvider("Account", created.model.remoteId!, `Analytical Engines ${TAG}`);
    const renamed = await world.merge.crm.accounts.partialUpdate(created.model.id!, {
      model: { name: `Difference Engines ${TAG}` },
    });
    expect(renamed.model).toMatchObject({ id: created.model.id, name: `Difference Engines ${TAG}` });
    await expectAtProvider("Account", created.model.remoteId!, `Difference Engines ${TAG}`);
    const listed = await world.merge.crm.accounts.list({ remoteId: created.model.remoteId! });
    expect(listed.data[0]?.name).toBe(`Difference Engines ${TAG}`);
    // The `name` filter finds it by its new name at once, and no longer by its old one.
    const byName = (name: string) => world.merge.crm.accounts.list({ name: name.toUpperCase() });
    expect((await byName(`Difference Engines ${TAG}`)).data.map((a) => a.id)).toEqual([created.model.id]);
    expect((await byName(`Analytical Engines ${TAG}`)).data).toEqual([]);
    written.push({ model: "Account", id: created.model.id!, fields: { name: `Difference Engines ${TAG}` } });
  });

  it("creates an opportunity at a stage and an account, and updates it", async () => {
    const created = await world.merge.crm.opportunities.create({
      model: {
        name: `Babbage deal ${TAG}`,
        amount: 5000,
        account: account.id!,
        ...(stage ? { stage: stage.id! } : {}),
        closeDate: new Date("2030-01-15T00:00:00Z"),
      },
    });
    expect(created.errors).toEqual([]);
    expect(created.model).toMatchObject({ name: `Babbage deal ${TAG}`, amount: 5000, account: account.id });
    if (stage) expect(created.model.stage).toBe(stage.id);
    await expectAtProvider("Opportunity", created.model.remoteId!, `Babbage deal ${TAG}`);
    const updated = await world.merge.crm.opportunities.partialUpdate(created.model.id!, {
      model: { name: `Babbage deal, signed ${TAG}` },
    });
    const fields = { name: `Babbage deal, signed ${TAG}`, amount: 5000, account: account.id };
    expect(updated.model).toMatchObject({ id: created.model.id, ...fields });
    await expectAtProvider("Opportunity", created.model.remoteId!, `Babbage deal, signed ${TAG}`);
    expect(await world.merge.crm.opportunities.retrieve(created.model.id!)).toMatchObject(fields);
    written.push({
      model: "Opportunity",
      id: created.model.id!,
      fields: stage ? { ...fields, stage: stage.id } : fields,
    });
  });

  it("warns about fields the provider does not write, and writes the rest", async () => {
    const created = await world.merge.crm.contacts.create({
      model: { firstName: "Mary", lastName: "Somerville", lastActivityAt: new Date("2024-01-01T00:00:00Z") },
    });
    expect(created.model.firstName).toBe("Mary");
    expect(created.warnings).toEqual([
      expect.objectContaining({
        source: { pointer: "model/last_activity_at" },
        problemType: "UNSUPPORTED_FIELD",
      }),
    ]);
  });

  it("refuses a reference to an object the linked account does not have, naming the field", async () => {
    const { status, body } = await refusal(
      world.merge.crm.contacts.create({
        model: { firstName: "X", lastName: "Y", account: "no-such-account" },
      }),
    );
    expect(status).toBe(400);
    expect(body).toMatchObject({
      errors: [{ source: { pointer: "model/account" }, problem_type: "INVALID_FIELD" }],
    });
  });

  it("with is_debug_mode, lists the provider calls the write made (method, URL, status), no secrets", async () => {
    const plain = await world.merge.crm.accounts.create({ model: { name: `Plain Engines ${TAG}` } });
    expect(plain.logs).toBeUndefined();
    const created = await world.merge.crm.accounts.create({
      isDebugMode: true,
      model: { name: `Debugged Engines ${TAG}` },
    });
    const updated = await world.merge.crm.accounts.partialUpdate(created.model.id!, {
      isDebugMode: true,
      model: { name: `Debugged Engines II ${TAG}` },
    });
    for (const [logs, method] of [
      [created.logs, "POST"],
      [updated.logs, /^(PATCH|POST|PUT)$/],
    ] as const) {
      expect(logs?.length).toBeGreaterThan(0);
      for (const log of logs!) {
        expect(log.logId).toMatch(/^[0-9a-f-]{36}$/);
        expect(log.logSummary?.url.startsWith(world.emulator.url)).toBe(true);
        expect(log.logSummary?.statusCode).toBeGreaterThanOrEqual(200);
        expect(log.logSummary?.statusCode).toBeLessThan(300);
      }
      // The write itself is among the calls (a provider may read first).
      expect(logs!.some((log) => String(log.logSummary?.method).match(method))).toBe(true);
      const text = JSON.stringify(logs);
      for (const secret of world.secrets) expect(text).not.toContain(secret);
    }
    expect(updated.model.name).toBe(`Debugged Engines II ${TAG}`);
  });

  it("answers a provider's refusal as Merge's 400 with the provider's own message", async () => {
    // The provider deletes a contact the cache still holds: updating it is refused by the provider.
    const before = new Set((await live("Contact")).keys());
    await world.emulator.mutate({ [world.streamOf("Contact")]: { deletes: 1 } });
    const after = await live("Contact");
    const gone = [...before].find((id) => !after.has(id))!;
    const [cached] = (await world.merge.crm.contacts.list({ remoteId: gone })).data;
    const { status, body } = await refusal(
      world.merge.crm.contacts.partialUpdate(cached!.id!, { model: { firstName: "Nobody" } }),
    );
    expect(status).toBe(400);
    const [error] = (body as { errors: { title: string; detail: string; problem_type: string }[] }).errors;
    expect(error).toMatchObject({ problem_type: "PROVIDER_ERROR", title: `${provider.displayName} Error` });
    expect(error!.detail.length).toBeGreaterThan(0);
    expect(error!.detail).not.toMatch(/Switchyard|HTTP \d{3}/);
  });

  it("creates once for retries under one Idempotency-Key, and refuses the key for another body", async () => {
    const key = `idem-${provider.name}-1`;
    const model = { firstName: "Charles", lastName: `Babbage${TAG}` };
    const before = (await live("Contact")).size;
    const first = await world.merge.crm.contacts.create({ model }, { headers: { "Idempotency-Key": key } });
    const again = await world.merge.crm.contacts.create({ model }, { headers: { "Idempotency-Key": key } });
    expect(again.model.id).toBe(first.model.id);
    expect((await live("Contact")).size).toBe(before + 1);
    const { status, body } = await refusal(
      world.merge.crm.contacts.create(
        { model: { ...model, lastName: "Other" } },
        { headers: { "Idempotency-Key": key } },
      ),
    );
    expect(status).toBe(422);
    expect((body as { detail: string }).detail).toMatch(/Idempotency-Key .* different request/);
    expect((await live("Contact")).size).toBe(before + 1);
  });

  it("describes what a POST and a PATCH can carry (meta)", async () => {
    const post = await world.merge.crm.contacts.metaPostRetrieve();
    type Schema = { properties: { model: { properties: Record<string, unknown>; required?: string[] } } };
    const model = (post.requestSchema as Schema).properties.model;
    expect(Object.keys(model.properties)).toEqual(expect.arrayContaining(["first_name", "last_name"]));
    expect(model.properties).not.toHaveProperty("remote_fields");
    expect(post.status).toEqual({ linkedAccountStatus: "COMPLETE", canMakeRequest: true });
    const accounts = await world.merge.crm.accounts.metaPostRetrieve();
    expect((accounts.requestSchema as Schema).properties.model.required).toContain("name");
    const [contact] = (await world.merge.crm.contacts.list({ pageSize: 1 })).data;
    expect((await world.merge.crm.contacts.metaPatchRetrieve(contact!.id!)).hasConditionalParams).toBe(false);
    expect((await refusal(world.merge.crm.opportunities.metaPatchRetrieve("no-such-id"))).status).toBe(404);
  });

  it("lists the provider's actions with JSON Schemas, and runs one through the actions route", async () => {
    const { data } = await world.h.dev.get("/v1/providers/:provider/actions", {
      params: { provider: provider.name },
    });
    const writer = unifiedWriters.find(provider.name, "Contact")!;
    const noReferences: WriteContext = { remoteIdOf: () => Promise.reject(new Error("no references here")) };
    const call = await writer.create({ first_name: "Ida", last_name: `Rhodes${TAG}` }, noReferences);
    const described = data.find((action) => action.name === call.action);
    expect(described?.input_schema).toMatchObject({ type: "object" });
    const before = (await live("Contact")).size;
    const ran = await world.h.dev.post("/v1/actions/:provider/:action", {
      params: { provider: provider.name, action: call.action },
      body: { connection_id: world.connectionId, input: call.input },
    });
    expect(ran.output).toBeTruthy();
    expect((await live("Contact")).size).toBe(before + 1);
    const bad = await world.h.dev.request("POST", "/v1/actions/:provider/:action", {
      params: { provider: provider.name, action: call.action },
      body: { connection_id: world.connectionId, input: { ...call.input, bogus_field: 1 } },
    });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain("input.bogus_field");
    expect((await live("Contact")).size).toBe(before + 1);
  });

  it("reads what it wrote the same after a resync re-reads it from the provider, each object once", async () => {
    await world.resync();
    const endpoints: Record<string, { retrieve(id: string): Promise<unknown> }> = {
      Contact: world.merge.crm.contacts,
      Account: world.merge.crm.accounts,
      Opportunity: world.merge.crm.opportunities,
    };
    expect(written.length).toBe(4);
    for (const { model, id, fields } of written) {
      expect(await endpoints[model]!.retrieve(id), `${model} ${id}`).toMatchObject(fields);
    }
    const contacts = await listAll(world.endpoint("Contact"));
    const ours = contacts
      .map((contact) => String(contact.lastName ?? ""))
      .filter((name) => name.endsWith(TAG));
    // Lovelace, Murray, Babbage (once, despite the retry), and Rhodes from the actions route.
    expect(ours.sort()).toEqual([`Babbage${TAG}`, `Lovelace${TAG}`, `Murray${TAG}`, `Rhodes${TAG}`]);
    expect(contacts.length).toBe((await live("Contact")).size);
  });
});
