/**
 * Reverse ETL's Salesforce primitives against the emulator: the batched lookup by a field's values (quoted as
 * SOQL literals: a value with a quote or backslash is looked up as itself and cannot change the query; a
 * value two records hold answers both ids), the External ID check (describe), and the upsert batch action
 * (created, then updated, one request per batch).
 */
import { expect, it } from "vitest";
import type { ActionDefinition } from "../../core/index.ts";
import { salesforce } from "./index.ts";
import { findIdsByField, isExternalIdField, soqlString } from "./lookup.ts";
import { salesforceTestWorld } from "./test-world.test-helper.ts";

const world = salesforceTestWorld();

const upsert = async (inputs: unknown[]) => {
  const action = salesforce.actions!.find((a) => a.name === "batch_upsert_contacts") as ActionDefinition;
  return action.output.parse(await action.run(world.http, action.input.parse({ inputs }))) as {
    results: ({ ok: true; output: { id: string; created?: boolean } } | { ok: false; message: string })[];
  };
};

it("quotes values as SOQL string literals", () => {
  expect(soqlString("o'brien@example.com")).toBe("'o\\'brien@example.com'");
  expect(soqlString("back\\slash")).toBe("'back\\\\slash'");
  expect(soqlString("line\nbreak")).toBe("'line\\nbreak'");
});

it("finds ids by a field's values in one query: quotes kept, case ignored, a value two records hold answers both", async () => {
  const made = await upsert([
    {
      by: "Customer_Key__c",
      record: { LastName: "Quote", Email: "o'brien@lookup.example", Customer_Key__c: "L-1" },
    },
    {
      by: "Customer_Key__c",
      record: { LastName: "Twin", Email: "twin@lookup.example", Customer_Key__c: "L-2" },
    },
    {
      by: "Customer_Key__c",
      record: { LastName: "Twin", Email: "twin@lookup.example", Customer_Key__c: "L-3" },
    },
  ]);
  const ids = made.results.map((r) => (r.ok ? r.output.id : ""));
  const before = world.requests;
  const found = await findIdsByField(world.http, "Contact", "Email", [
    "O'Brien@lookup.example",
    "twin@lookup.example",
    "none@lookup.example",
    "x' OR Email != 'y",
  ]);
  expect(world.requests - before).toBe(1);
  expect(found.get("o'brien@lookup.example")).toEqual([ids[0]]);
  expect(found.get("twin@lookup.example")?.sort()).toEqual([ids[1], ids[2]].sort());
  expect(found.size).toBe(2);
});

it("tells an External ID field from another one", async () => {
  expect(await isExternalIdField(world.http, "Contact", "Customer_Key__c")).toBe(true);
  expect(await isExternalIdField(world.http, "Contact", "Email")).toBe(false);
});

it("upserts many on an External ID field in one request: created, then updated in place", async () => {
  const inputs = (name: string) =>
    ["U-1", "U-2"].map((key) => ({
      by: "Customer_Key__c",
      record: { LastName: name, Customer_Key__c: key },
    }));
  const before = world.requests;
  const first = await upsert(inputs("First"));
  const again = await upsert(inputs("Again"));
  expect(world.requests - before).toBe(2);
  expect(first.results.map((r) => r.ok && r.output.created)).toEqual([true, true]);
  expect(again.results.map((r) => r.ok && r.output.created)).toEqual([false, false]);
  expect(again.results.map((r) => r.ok && r.output.id)).toEqual(
    first.results.map((r) => r.ok && r.output.id),
  );
  const live = world.emulator
    .groundTruth("Contact")
    .live.filter((c) => String(c.Customer_Key__c).startsWith("U-"));
  expect(live.map((c) => c.LastName)).toEqual(["Again", "Again"]);
});
