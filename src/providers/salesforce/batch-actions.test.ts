/**
 * Salesforce's batch actions against the emulator: one sObject Collections request per batch, each input
 * answered in order with its SaveResult or Salesforce's refusal (400, or 404 for a record that is gone).
 */
import { expect, it } from "vitest";
import type { ActionDefinition } from "../../core/index.ts";
import { salesforce } from "./index.ts";
import { salesforceTestWorld } from "./test-world.test-helper.ts";

const world = salesforceTestWorld();

const action = (name: string) => salesforce.actions!.find((a) => a.name === name) as ActionDefinition;
const run = async (name: string, inputs: unknown[]) => {
  const definition = action(name);
  return definition.output.parse(await definition.run(world.http, definition.input.parse({ inputs }))) as {
    results: ({ ok: true; output: { id: string } } | { ok: false; status: number; message: string })[];
  };
};
const live = (id: string) => world.emulator.groundTruth("Contact").live.find((record) => record.Id === id);

it("declares each batch as the single action it batches, 200 at most", () => {
  expect(action("batch_create_contacts").batchOf).toEqual({ action: "create_contact", maxInputs: 200 });
  expect(action("batch_update_opportunities").batchOf).toEqual({
    action: "update_opportunity",
    maxInputs: 200,
  });
  expect(action("batch_delete_accounts").batchOf).toEqual({ action: "delete_account", maxInputs: 200 });
  expect(() =>
    action("batch_create_contacts").input.parse({ inputs: new Array(201).fill({ LastName: "x" }) }),
  ).toThrow();
});

it("creates, updates and deletes many in one request each, refusals answered per input in order", async () => {
  const before = world.requests;
  const created = await run("batch_create_contacts", [
    { LastName: "Ada", Email: "ada@example.com" },
    { LastName: "y".repeat(81) },
    { LastName: "Grace", Preferred_Channel__c: "Phone" },
  ]);
  expect(world.requests - before).toBe(1);
  const [ada, tooLong, grace] = created.results;
  expect(ada).toMatchObject({ ok: true, output: { success: true } });
  expect(tooLong).toEqual({
    ok: false,
    status: 400,
    message: `Last Name: data value too large: ${"y".repeat(81)} (max length=80)`,
  });
  const adaId = (ada as { output: { id: string } }).output.id;
  const graceId = (grace as { output: { id: string } }).output.id;
  expect(live(graceId)).toMatchObject({ LastName: "Grace", Preferred_Channel__c: "Phone" });

  const updated = await run("batch_update_contacts", [
    { Id: adaId, Title: "Countess" },
    { Id: "003000000000000AAA", Title: "Nobody" },
  ]);
  expect(updated.results[0]).toEqual({ ok: true, output: { id: adaId, success: true, errors: [] } });
  expect(updated.results[1]).toMatchObject({ ok: false, status: 404 });
  expect(live(adaId)).toMatchObject({ Title: "Countess" });

  const deleted = await run("batch_delete_contacts", [{ Id: adaId }, { Id: graceId }]);
  expect(deleted.results.every((result) => result.ok)).toBe(true);
  const again = await run("batch_delete_records", [{ object: "Contact", id: adaId }]);
  expect(again.results[0]).toEqual({ ok: false, status: 404, message: "entity is deleted" });
  expect(live(adaId)).toBeUndefined();
  expect(world.requests - before).toBe(4);
});
