/**
 * Pipedrive's actions against the emulator: create and update a person, an organization and a deal, with
 * inputs checked before any request is sent.
 */
import { describe, expect, it } from "vitest";
import {
  createDeal,
  createOrganization,
  createPerson,
  pipedriveActions,
  updateDeal,
  updateOrganization,
  updatePerson,
} from "./actions.ts";
import { customKey } from "./emulator/index.ts";
import { pipedriveTestWorld } from "./test-world.test-helper.ts";

const world = pipedriveTestWorld();

const live = (entity: "persons" | "organizations" | "deals", id: number) =>
  world.emulator.groundTruth(entity).records.find((record) => record.id === id);

describe("Pipedrive actions", () => {
  it("create and update a person, an organization and a deal", async () => {
    const org = await createOrganization(world.http, { name: "Initech" });
    const channel = customKey("persons", "Preferred channel");
    const person = await createPerson(world.http, {
      name: "Peter Gibbons",
      email: "peter@initech.test",
      org_id: org.id,
      custom_fields: { [channel]: 2 },
    });
    const deal = await createDeal(world.http, {
      title: "TPS reports",
      value: 1200,
      currency: "USD",
      person_id: person.id,
    });
    expect(live("persons", person.id)).toMatchObject({
      name: "Peter Gibbons",
      org_id: org.id,
      emails: [{ value: "peter@initech.test", primary: true }],
      custom_fields: { [channel]: 2 },
    });

    const renamed = await updatePerson(world.http, { id: person.id, phone: "+15550100" });
    expect(renamed).toMatchObject({
      id: person.id,
      name: "Peter Gibbons",
      phones: [{ value: "+15550100", primary: true }],
    });
    await updateOrganization(world.http, { id: org.id, name: "Initrode" });
    const won = await updateDeal(world.http, { id: deal.id, status: "won" });
    expect(won).toMatchObject({ id: deal.id, title: "TPS reports", status: "won" });
    expect(live("organizations", org.id)?.name).toBe("Initrode");
    expect(live("deals", deal.id)?.status).toBe("won");
  });

  it("refuses bad input before sending anything, naming the field", async () => {
    const before = world.emulator.state().requests;
    await expect(createPerson(world.http, { name: "" })).rejects.toThrow(/name/);
    await expect(createDeal(world.http, { title: "x", currency: "EURO" })).rejects.toThrow(/currency/);
    const update = pipedriveActions.find((action) => action.name === "update_deal")!;
    expect(() => update.input.parse({ title: "no id" })).toThrow(/id/);
    expect(world.emulator.state().requests).toEqual(before);
  });

  it("surfaces Pipedrive's refusal of an unknown record", async () => {
    await expect(updatePerson(world.http, { id: 999_999, name: "Nobody" })).rejects.toThrow(
      /Person not found/,
    );
  });
});
