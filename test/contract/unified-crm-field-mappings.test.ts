/**
 * Field mappings through Merge's official SDK (`crm.fieldMapping`), for every provider under contract
 * (CONTRACT_PROVIDERS): one suite, unchanged for each. A mapping of a contact field is created, re-pointed and
 * deleted, and each change shows in what contacts read at once, re-mapped from the cached payloads: with the
 * emulator dropping every request meanwhile (so any request to it would fail the change), and no sync run.
 * Provider-specific cases (custom properties, environment-wide mappings) are in
 * test/integration/unified-crm-field-mappings.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { valueAtPath } from "../../src/unified/field-mappings.ts";
import { CONTRACT_PROVIDERS, type CrmWorld, listAll, openCrmWorld, refusal } from "./unified-crm-world.ts";

describe.each(CONTRACT_PROVIDERS)("%s", (_name, provider) => {
  let world: CrmWorld;
  beforeAll(async () => {
    world = await openCrmWorld(provider);
  }, 120_000);
  afterAll(async () => world?.close());

  it("maps a contact field, re-points it and deletes it: reads change with no request to the provider and no sync", async () => {
    const runs = async () => (await world.h.dev.get("/v1/runs")).data.length;
    const runsBefore = await runs();
    const cached = new Map((await world.cached("Contact")).map((record) => [record.pk, record.payload]));
    const remote = await world.merge.crm.fieldMapping.remoteFieldsRetrieve({ commonModels: "Contact" });
    // Two text fields that some contacts hold, to map and then re-map.
    const textFields = (remote.contact ?? []).filter(
      (field) =>
        field.remoteKeyName !== "id" &&
        [...cached.values()].some(
          (payload) =>
            typeof valueAtPath(payload, field.remoteEndpointInfo.fieldTraversalPath as string[]) === "string",
        ),
    );
    expect(textFields.length).toBeGreaterThanOrEqual(2);
    const [first, second] = textFields as [(typeof textFields)[0], (typeof textFields)[0]];
    const expectValues = async (path: readonly unknown[] | null) => {
      const contacts = await listAll(world.endpoint("Contact"));
      expect(contacts.length).toBe(cached.size);
      for (const contact of contacts) {
        const mapped = (
          contact.fieldMappings as { linked_account_defined_targets?: unknown } | null | undefined
        )?.linked_account_defined_targets;
        if (path === null) expect(mapped).toBeUndefined();
        else
          expect(mapped).toEqual({
            mapped: valueAtPath(cached.get(contact.remoteId!), path as string[]) ?? null,
          });
      }
    };
    // From here on, any request to the provider fails (shown by one).
    const [contact] = (await world.endpoint("Contact").list({ pageSize: 1, includeRemoteData: true })).data;
    await world.emulator.setFaults({ dropRate: 1 });
    const read = world.merge.crm.passthrough.create({ method: "GET", path: contact!.remoteData![0]!.path });
    expect((await refusal(read)).status).toBe(502);
    try {
      const created = await world.merge.crm.fieldMapping.fieldMappingsCreate({
        targetFieldName: "mapped",
        targetFieldDescription: "A provider field, mapped.",
        remoteFieldTraversalPath: first.remoteEndpointInfo.fieldTraversalPath,
        remoteMethod: first.remoteEndpointInfo.method,
        remoteUrlPath: first.remoteEndpointInfo.urlPath,
        commonModelName: "Contact",
      });
      await expectValues(first.remoteEndpointInfo.fieldTraversalPath);
      const listed = await world.merge.crm.fieldMapping.fieldMappingsRetrieve();
      expect(listed.contact?.map((mapping) => mapping.id)).toEqual([created.model.id]);
      await world.merge.crm.fieldMapping.fieldMappingsPartialUpdate(created.model.id!, {
        remoteFieldTraversalPath: second.remoteEndpointInfo.fieldTraversalPath,
      });
      await expectValues(second.remoteEndpointInfo.fieldTraversalPath);
      await world.merge.crm.fieldMapping.fieldMappingsDestroy(created.model.id!);
      await expectValues(null);
      expect((await world.merge.crm.fieldMapping.fieldMappingsRetrieve()).contact ?? []).toEqual([]);
    } finally {
      await world.emulator.setFaults({ dropRate: 0 });
    }
    expect(await runs()).toBe(runsBefore);
  });

  it("maps a provider field onto a Common Model field, and deleting the mapping gives the mapper's value back", async () => {
    const cached = new Map((await world.cached("Contact")).map((record) => [record.pk, record.payload]));
    const before = new Map((await listAll(world.endpoint("Contact"))).map((c) => [c.remoteId!, c]));
    const remote = await world.merge.crm.fieldMapping.remoteFieldsRetrieve({ commonModels: "Contact" });
    // A text field whose values differ from some contact's first name.
    const field = (remote.contact ?? []).find((candidate) => {
      const path = candidate.remoteEndpointInfo.fieldTraversalPath as string[];
      return [...cached].some(([pk, payload]) => {
        const value = valueAtPath(payload, path);
        return typeof value === "string" && value !== before.get(pk)?.firstName;
      });
    })!;
    expect(field).toBeDefined();
    const path = field.remoteEndpointInfo.fieldTraversalPath as string[];
    await world.emulator.setFaults({ dropRate: 1 });
    try {
      const created = await world.merge.crm.fieldMapping.fieldMappingsCreate({
        targetFieldName: "first_name",
        targetFieldDescription: "First name from another field.",
        remoteFieldTraversalPath: path,
        remoteMethod: field.remoteEndpointInfo.method,
        remoteUrlPath: field.remoteEndpointInfo.urlPath,
        commonModelName: "Contact",
      });
      expect(created.model.targetField?.isOrganizationWide).toBe(true);
      for (const contact of await listAll(world.endpoint("Contact")))
        expect(contact.firstName ?? null).toBe(valueAtPath(cached.get(contact.remoteId!), path) ?? null);
      await world.merge.crm.fieldMapping.fieldMappingsDestroy(created.model.id!);
      for (const contact of await listAll(world.endpoint("Contact")))
        expect(contact.firstName ?? null).toBe(before.get(contact.remoteId!)?.firstName ?? null);
    } finally {
      await world.emulator.setFaults({ dropRate: 0 });
    }
  });
});
