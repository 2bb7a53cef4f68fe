import { describe, expect, it } from "vitest";
import { Account, AccountRequest, PatchedAccountRequest } from "./account.ts";
import { exampleAccount, exampleAccountRequest, exampleUser } from "./examples.ts";
import { firstIssuePath } from "./testing.ts";

describe("crm Account", () => {
  it("accepts a full account and keeps every field", () => {
    expect(Account.parse(exampleAccount)).toEqual(exampleAccount);
  });

  it("accepts the owner expanded into a user", () => {
    const parsed = Account.parse({ ...exampleAccount, owner: exampleUser });
    expect(parsed.owner).toEqual(exampleUser);
  });

  it("accepts an object with no fields, as every field is optional in Merge's model", () => {
    expect(Account.parse({})).toEqual({});
  });

  it("accepts null where Merge allows it", () => {
    const nulls = {
      owner: null,
      name: null,
      number_of_employees: null,
      remote_data: null,
      field_mappings: null,
    };
    expect(Account.safeParse(nulls).success).toBe(true);
  });

  it("refuses null in read-only bookkeeping fields", () => {
    expect(firstIssuePath(Account.safeParse({ id: null }))).toBe("id");
    expect(firstIssuePath(Account.safeParse({ remote_was_deleted: null }))).toBe("remote_was_deleted");
    expect(firstIssuePath(Account.safeParse({ addresses: null }))).toBe("addresses");
  });

  it("refuses wrong types", () => {
    expect(firstIssuePath(Account.safeParse({ number_of_employees: "420" }))).toBe("number_of_employees");
    expect(firstIssuePath(Account.safeParse({ number_of_employees: 4.5 }))).toBe("number_of_employees");
    expect(firstIssuePath(Account.safeParse({ owner: 7 }))).toBe("owner");
    expect(firstIssuePath(Account.safeParse({ modified_at: "yesterday" }))).toBe("modified_at");
    expect(firstIssuePath(Account.safeParse({ remote_data: [{ data: {} }] }))).toBe("remote_data.0.path");
  });

  it("refuses an address type or country outside Merge's enums", () => {
    const address = exampleAccount.addresses?.[0];
    const shipping = Account.safeParse({ addresses: [{ ...address, address_type: "Shipping" }] });
    expect(firstIssuePath(shipping)).toBe("addresses.0.address_type");
    const country = Account.safeParse({ addresses: [{ ...address, country: "USA" }] });
    expect(firstIssuePath(country)).toBe("addresses.0.country");
  });
});

describe("crm AccountRequest and PatchedAccountRequest", () => {
  it("accept a realistic create and patch", () => {
    expect(AccountRequest.parse(exampleAccountRequest)).toEqual(exampleAccountRequest);
    expect(PatchedAccountRequest.parse({ name: "Contoso Group", owner: null })).toEqual({
      name: "Contoso Group",
      owner: null,
    });
  });

  it("drop read-only fields a client sends", () => {
    const parsed = AccountRequest.parse({ ...exampleAccountRequest, id: "x", remote_was_deleted: true });
    expect(parsed).not.toHaveProperty("id");
    expect(parsed).not.toHaveProperty("remote_was_deleted");
  });

  it("PATCH takes the owner as an id only, as Merge's SDK types it", () => {
    expect(firstIssuePath(PatchedAccountRequest.safeParse({ owner: exampleUser }))).toBe("owner");
    expect(AccountRequest.safeParse({ owner: exampleUser }).success).toBe(true);
  });

  it("refuses wrong types", () => {
    expect(firstIssuePath(AccountRequest.safeParse({ website: "x".repeat(2001) }))).toBe("website");
    expect(firstIssuePath(AccountRequest.safeParse({ remote_fields: [{ value: 1 }] }))).toBe(
      "remote_fields.0.remote_field_class",
    );
    expect(firstIssuePath(PatchedAccountRequest.safeParse({ integration_params: "x" }))).toBe(
      "integration_params",
    );
  });
});
