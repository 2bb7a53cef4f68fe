/**
 * Field mappings through Merge's official SDK (`crm.fieldMapping`) and Switchyard's `/v1/field-mappings`,
 * against a HubSpot connection synced from the emulator, where contacts carry a custom property. Expected
 * values come from the records cache (the provider's raw payloads). Creating, changing and deleting a mapping
 * changes what contacts show without any new request to the emulator. What every provider does alike is in the
 * contract suite (test/contract/unified-crm-field-mappings.test.ts); this file holds HubSpot's own cases.
 */
import { MergeClient, MergeError } from "@mergeapi/merge-node-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSyncJob } from "../../src/app/syncs/sync-connection.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { createScheduler, createStoreSyncQueue, createSyncRunner } from "../../src/scheduler/index.ts";
import { type Harness, startHarness } from "../../src/server/test-harness.ts";
import { listRecords } from "../../src/store/index.ts";

type Raw = Record<string, unknown> & { id: string };

const CUSTOM = "favorite_color";
const CONTACT_PATH = "/crm/v3/objects/contacts/{id}";

let h: Harness;
let emulator: HubSpotEmulator;
let baseUrl: string;
let connectionId: string;
let merge: MergeClient;
let contacts: Raw[] = [];

/** Requests the emulator has served so far, all routes together. */
function emulatorRequests(): number {
  return Object.values(emulator.state().requests).reduce((sum, count) => sum + count, 0);
}

/** Every contact, as the SDK lists them, by remote id. */
async function contactsByRemoteId(options: { includeRemoteFields?: boolean } = {}) {
  const all = new Map<string, Awaited<ReturnType<typeof merge.crm.contacts.retrieve>>>();
  for await (const contact of await merge.crm.contacts.list({ pageSize: 100, ...options })) {
    all.set(contact.remoteId!, contact);
  }
  return all;
}

async function refusal(call: Promise<unknown>): Promise<{ status?: number; detail: string }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MergeError);
  const body = (error as MergeError).body as { detail?: unknown };
  expect(typeof body.detail).toBe("string");
  return { status: (error as MergeError).statusCode, detail: body.detail as string };
}

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 7,
    counts: { contacts: 120, companies: 10, deals: 10 },
    rateLimit: { maxPerInterval: 100_000 },
  });
  emulator.addProperty("contacts", {
    name: CUSTOM,
    label: "Favorite color",
    type: "string",
    fieldType: "text",
  });
  // Records get a value of an added property when they change.
  emulator.mutate({ type: "contacts", updates: 40 });
  h = await startHarness({ providers: { hubspot }, rateLimit: false });
  baseUrl = `${await h.app.listen({ port: 0, host: "127.0.0.1" })}/api`;
  const created = await h.dev.post("/v1/connections", {
    body: {
      provider: "hubspot",
      credentials: { type: "bearer", token: h.secret(emulator.tokens[0]!) },
      end_user: { id: "customer-9", email: "ops@acme.example", organization: "Acme" },
      config: { base_url: emulator.url },
    },
  });
  connectionId = created.id;
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
  contacts = (await listRecords(h.store.db, connectionId, "contacts", { limit: 100_000 })).map(
    (row) => JSON.parse(row.payload) as Raw,
  );
  expect(contacts.filter((c) => typeof c[CUSTOM] === "string" && c[CUSTOM] !== "").length).toBeGreaterThan(5);
  merge = new MergeClient({ apiKey: h.keys.dev, accountToken: h.secret(created.account_token), baseUrl });
}, 120_000);

afterAll(async () => {
  expect(await h.leakedSecrets()).toEqual([]);
  await h.close();
  await emulator.close();
});

describe("remote and target fields", () => {
  it("lists the contacts' remote fields, the custom property included, with where they are read", async () => {
    const fields = await merge.crm.fieldMapping.remoteFieldsRetrieve({
      commonModels: "Contact",
      includeExampleValues: "true",
    });
    const contact = fields.contact ?? [];
    const custom = contact.find((field) => field.remoteKeyName === CUSTOM);
    expect(custom).toMatchObject({
      remoteEndpointInfo: { method: "GET", urlPath: CONTACT_PATH, fieldTraversalPath: [CUSTOM] },
      schema: { type: "string" },
    });
    const seen = new Set<unknown>(
      contacts.map((c) => c[CUSTOM]).filter((v) => v !== null && v !== undefined),
    );
    expect(custom?.exampleValues?.length).toBeGreaterThan(0);
    for (const value of custom?.exampleValues ?? []) expect(seen.has(value)).toBe(true);
    expect(contact.map((field) => field.remoteKeyName)).toContain("firstname");
  });

  it("refuses a model the provider does not serve with Merge's {detail}", async () => {
    const refused = await refusal(merge.crm.fieldMapping.remoteFieldsRetrieve({ commonModels: "Lead" }));
    expect(refused.status).toBe(400);
    expect(refused.detail).toContain("Lead");
  });
});

describe("a linked account's mapping onto a new target field", () => {
  let mappingId: string;

  it("creates it, and contacts show the custom value in linked_account_defined_targets, re-mapped without a request to HubSpot", async () => {
    await contactsByRemoteId(); // caught up before counting
    const before = emulatorRequests();
    const created = await merge.crm.fieldMapping.fieldMappingsCreate({
      targetFieldName: "color",
      targetFieldDescription: "The contact's favorite color.",
      remoteFieldTraversalPath: [CUSTOM],
      remoteMethod: "GET",
      remoteUrlPath: CONTACT_PATH,
      commonModelName: "Contact",
    });
    expect(created.model).toMatchObject({
      isIntegrationWide: false,
      targetField: { name: "color", isOrganizationWide: false },
      remoteField: { remoteEndpointInfo: { fieldTraversalPath: [CUSTOM], urlPath: CONTACT_PATH } },
    });
    mappingId = created.model.id!;
    const listed = await contactsByRemoteId();
    expect(listed.size).toBe(contacts.length);
    for (const raw of contacts) {
      expect(listed.get(raw.id)?.fieldMappings).toEqual({
        organization_defined_targets: {},
        linked_account_defined_targets: { color: raw[CUSTOM] ?? null },
      });
    }
    expect(emulatorRequests()).toBe(before);
    const all = await merge.crm.fieldMapping.fieldMappingsRetrieve();
    expect(all.contact?.map((m) => m.id)).toEqual([mappingId]);
    expect(all.account).toEqual([]);
  });

  it("refuses a second mapping onto the same target, an unknown path and an unknown model", async () => {
    const request = {
      targetFieldName: "color",
      targetFieldDescription: "again",
      remoteFieldTraversalPath: [CUSTOM],
      remoteMethod: "GET",
      remoteUrlPath: CONTACT_PATH,
      commonModelName: "Contact",
    };
    const duplicate = await refusal(merge.crm.fieldMapping.fieldMappingsCreate(request));
    expect(duplicate.status).toBe(409);
    expect(duplicate.detail).toContain('"color"');
    const unknownPath = await refusal(
      merge.crm.fieldMapping.fieldMappingsCreate({
        ...request,
        targetFieldName: "x",
        remoteFieldTraversalPath: ["nope_field"],
      }),
    );
    expect(unknownPath.status).toBe(400);
    expect(unknownPath.detail).toContain("nope_field");
    const unknownModel = await refusal(
      merge.crm.fieldMapping.fieldMappingsCreate({
        ...request,
        targetFieldName: "x",
        commonModelName: "Widget",
      }),
    );
    expect(unknownModel.status).toBe(400);
    expect(unknownModel.detail).toContain("Widget");
    const wrongUrl = await refusal(
      merge.crm.fieldMapping.fieldMappingsCreate({
        ...request,
        targetFieldName: "x",
        remoteUrlPath: "/contacts",
      }),
    );
    expect(wrongUrl.detail).toContain(CONTACT_PATH);
    const reference = await refusal(
      merge.crm.fieldMapping.fieldMappingsCreate({ ...request, targetFieldName: "account" }),
    );
    expect(reference.status).toBe(400);
  });

  it("PATCH points it at another field: the values change, still with no request to HubSpot", async () => {
    const before = emulatorRequests();
    await merge.crm.fieldMapping.fieldMappingsPartialUpdate(mappingId, {
      remoteFieldTraversalPath: ["jobtitle"],
    });
    const listed = await contactsByRemoteId();
    for (const raw of contacts) {
      expect(listed.get(raw.id)?.fieldMappings?.linked_account_defined_targets).toEqual({
        color: raw.jobtitle ?? null,
      });
    }
    expect(emulatorRequests()).toBe(before);
  });

  it("DELETE removes it: field_mappings goes away, with no request to HubSpot", async () => {
    const before = emulatorRequests();
    const deleted = await merge.crm.fieldMapping.fieldMappingsDestroy(mappingId);
    expect(deleted.model.id).toBe(mappingId);
    const listed = await contactsByRemoteId();
    for (const contact of listed.values()) expect(contact.fieldMappings ?? null).toBeNull();
    expect(emulatorRequests()).toBe(before);
    expect((await refusal(merge.crm.fieldMapping.fieldMappingsDestroy(mappingId))).status).toBe(404);
  });
});

describe("overriding a Common Model field", () => {
  it("maps jobtitle onto first_name, and deleting the mapping gives the mapper's value back", async () => {
    const created = await merge.crm.fieldMapping.fieldMappingsCreate({
      targetFieldName: "first_name",
      targetFieldDescription: "First name from the job title.",
      remoteFieldTraversalPath: ["jobtitle"],
      remoteMethod: "GET",
      remoteUrlPath: CONTACT_PATH,
      commonModelName: "Contact",
    });
    expect(created.model.targetField?.isOrganizationWide).toBe(true);
    let listed = await contactsByRemoteId();
    for (const raw of contacts) {
      const contact = listed.get(raw.id)!;
      expect(contact.firstName ?? null).toBe(raw.jobtitle ?? null);
      expect(contact.fieldMappings).toEqual({
        organization_defined_targets: {},
        linked_account_defined_targets: {},
      });
    }
    await merge.crm.fieldMapping.fieldMappingsDestroy(created.model.id!);
    listed = await contactsByRemoteId();
    for (const raw of contacts) expect(listed.get(raw.id)?.firstName ?? null).toBe(raw.firstname ?? null);
  });
});

describe("environment-wide mappings (/v1/field-mappings)", () => {
  it("apply to the connection as organization-defined targets, listed as target fields, and a linked account's own mapping wins", async () => {
    const before = emulatorRequests();
    const environmentWide = await h.dev.post("/v1/field-mappings", {
      body: {
        provider: "hubspot",
        common_model_name: "Contact",
        target_field_name: "lead_status",
        target_field_description: "HubSpot's lead status.",
        remote_field_traversal_path: ["hs_lead_status"],
        remote_url_path: CONTACT_PATH,
      },
    });
    expect(environmentWide).toMatchObject({ provider: "hubspot", connection_id: null });
    let listed = await contactsByRemoteId();
    for (const raw of contacts) {
      expect(listed.get(raw.id)?.fieldMappings?.organization_defined_targets).toEqual({
        lead_status: raw.hs_lead_status ?? null,
      });
    }
    const targets = await merge.crm.fieldMapping.targetFieldsRetrieve();
    expect(targets.contact).toEqual([
      { name: "lead_status", description: "HubSpot's lead status.", isMapped: "true" },
    ]);
    const mappings = await merge.crm.fieldMapping.fieldMappingsRetrieve();
    expect(mappings.contact?.[0]).toMatchObject({ id: environmentWide.id, isIntegrationWide: true });
    // The linked account cannot change the environment's mapping through Merge's API…
    expect((await refusal(merge.crm.fieldMapping.fieldMappingsDestroy(environmentWide.id))).status).toBe(403);
    // …but its own mapping of the same target wins for it.
    const own = await merge.crm.fieldMapping.fieldMappingsCreate({
      targetFieldName: "lead_status",
      targetFieldDescription: "Ours.",
      remoteFieldTraversalPath: [CUSTOM],
      remoteMethod: "GET",
      remoteUrlPath: CONTACT_PATH,
      commonModelName: "Contact",
    });
    expect(own.model.targetField?.isOrganizationWide).toBe(true);
    listed = await contactsByRemoteId();
    for (const raw of contacts) {
      expect(listed.get(raw.id)?.fieldMappings?.organization_defined_targets).toEqual({
        lead_status: raw[CUSTOM] ?? null,
      });
    }
    await merge.crm.fieldMapping.fieldMappingsDestroy(own.model.id!);
    await h.dev.delete("/v1/field-mappings/:id", { params: { id: environmentWide.id } });
    listed = await contactsByRemoteId();
    for (const contact of listed.values()) expect(contact.fieldMappings ?? null).toBeNull();
    expect(emulatorRequests()).toBe(before);
  });

  it("another environment cannot map this connection nor see its mappings", async () => {
    const own = await merge.crm.fieldMapping.fieldMappingsCreate({
      targetFieldName: "score",
      targetFieldDescription: "HubSpot score.",
      remoteFieldTraversalPath: ["hubspotscore"],
      remoteMethod: "GET",
      remoteUrlPath: CONTACT_PATH,
      commonModelName: "Contact",
    });
    const attempt = await h.prod.request("POST", "/v1/field-mappings", {
      body: {
        connection_id: connectionId,
        common_model_name: "Contact",
        target_field_name: "stolen",
        remote_field_traversal_path: [CUSTOM],
        remote_url_path: CONTACT_PATH,
      },
    });
    expect(attempt.status).toBe(404);
    expect(
      (await h.prod.request("DELETE", "/v1/field-mappings/:id", { params: { id: own.model.id! } })).status,
    ).toBe(404);
    expect((await h.prod.get("/v1/field-mappings")).data).toEqual([]);
    expect(
      (await h.dev.get("/v1/field-mappings", { query: { connection_id: connectionId } })).data.map(
        (m) => m.id,
      ),
    ).toEqual([own.model.id]);
    await merge.crm.fieldMapping.fieldMappingsDestroy(own.model.id!);
  });
});

describe("include_remote_fields", () => {
  it("lists every field of the cached payload with its value, the custom property included", async () => {
    const listed = await contactsByRemoteId({ includeRemoteFields: true });
    const withColor = contacts.find((c) => typeof c[CUSTOM] === "string" && c[CUSTOM] !== "")!;
    const contact = listed.get(withColor.id)!;
    const byKey = new Map(
      (contact.remoteFields ?? []).map((field) => [
        typeof field.remoteFieldClass === "string"
          ? field.remoteFieldClass
          : field.remoteFieldClass.remoteKeyName,
        field.value,
      ]),
    );
    expect(byKey.get(CUSTOM)).toBe(withColor[CUSTOM]);
    expect(byKey.get("firstname")).toBe(withColor.firstname ?? null);
    const one = await merge.crm.contacts.retrieve(contact.id!, { includeRemoteFields: true });
    expect(one.remoteFields?.length).toBe(contact.remoteFields?.length);
    const plain = await merge.crm.contacts.retrieve(contact.id!);
    expect(plain.remoteFields).toBeUndefined();
  });
});
