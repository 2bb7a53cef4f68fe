/** Pipedrive's writers: Merge's request fields as API v2 fields with numeric references, and the cached record. */
import { describe, expect, it } from "vitest";
import type { WriteContext } from "../../../unified/writers.ts";
import { pipedriveWriters } from "./writes.ts";

const writer = (model: string) => pipedriveWriters.find((w) => w.model === model)!;
const ctx: WriteContext = {
  remoteIdOf: async (_model, id) => (id === "bad" ? "not-a-number" : `${id.length}`),
};

describe("Pipedrive writers", () => {
  it("writes a person's name from first and last names, first email and phone, and numeric references", async () => {
    const call = await writer("Contact").create(
      {
        first_name: "Ada",
        last_name: "Lovelace",
        email_addresses: [{ email_address: "ada@example.com" }],
        phone_numbers: [{ phone_number: "+44 1" }],
        account: "acc",
        owner: "owner1",
      },
      ctx,
    );
    expect(call).toEqual({
      action: "create_person",
      input: { name: "Ada Lovelace", email: "ada@example.com", phone: "+44 1", org_id: 3, owner_id: 6 },
    });
  });

  it("keeps the cached first name when a PATCH changes only the last one", async () => {
    const call = await writer("Contact").update("12", { last_name: "King" }, ctx, {
      first_name: "Ada",
      last_name: "Byron",
    });
    expect(call).toEqual({ action: "update_person", input: { id: 12, name: "Ada King" } });
  });

  it("writes a deal's title, value, status, expected close date and stage", async () => {
    const call = await writer("Opportunity").create(
      { name: "D", amount: 10, status: "WON", close_date: "2030-01-15T10:00:00Z", stage: "st" },
      ctx,
    );
    expect(call.input).toEqual({
      title: "D",
      value: 10,
      status: "won",
      expected_close_date: "2030-01-15",
      stage_id: 2,
    });
  });

  it("refuses a reference Pipedrive cannot take, or clearing one, naming the field", async () => {
    await expect(writer("Opportunity").create({ name: "D", account: "bad" }, ctx)).rejects.toMatchObject({
      field: "account",
    });
    await expect(writer("Account").update("1", { owner: null }, ctx)).rejects.toMatchObject({
      field: "owner",
    });
    await expect(writer("Contact").create({ first_name: "Ada" }, ctx)).rejects.toMatchObject({
      field: "last_name",
    });
  });

  it("caches a person with first and last names split from its name when the answer has none", () => {
    const record = writer("Contact").toRecord({
      output: { id: 12, name: "Ada King", update_time: "2026-01-01T00:00:00Z" },
      input: { id: 12, name: "Ada King" },
      previous: { id: 12, name: "Ada Byron", first_name: "Ada", last_name: "Byron", emails: [] },
    });
    expect(record).toMatchObject({
      id: 12,
      name: "Ada King",
      first_name: "Ada",
      last_name: "King",
      emails: [],
    });
  });
});
