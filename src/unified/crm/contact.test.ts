import { describe, expect, it } from "vitest";
import { Contact, ContactRequest, PatchedContactRequest } from "./contact.ts";
import {
  exampleAccount,
  exampleContact,
  exampleContactRequest,
  examplePatchedContactRequest,
} from "./examples.ts";
import { firstIssuePath } from "./testing.ts";

describe("crm Contact", () => {
  it("accepts a full contact with its owner expanded, and keeps every field", () => {
    expect(Contact.parse(exampleContact)).toEqual(exampleContact);
  });

  it("accepts the account expanded into an account", () => {
    expect(Contact.parse({ ...exampleContact, account: exampleAccount }).account).toEqual(exampleAccount);
  });

  it("leaves email and phone types free text, as Merge does", () => {
    const parsed = Contact.parse({
      email_addresses: [{ email_address: "a@b.example", email_address_type: "Alternate" }],
      phone_numbers: [{ phone_number: "123", phone_number_type: "Fax" }],
    });
    expect(parsed.email_addresses?.[0]?.email_address_type).toBe("Alternate");
    expect(parsed.phone_numbers?.[0]?.phone_number_type).toBe("Fax");
  });

  it("refuses wrong types", () => {
    expect(firstIssuePath(Contact.safeParse({ first_name: 1 }))).toBe("first_name");
    expect(firstIssuePath(Contact.safeParse({ email_addresses: [{ email_address: 5 }] }))).toBe(
      "email_addresses.0.email_address",
    );
    expect(firstIssuePath(Contact.safeParse({ account: { name: 3 } }))).toBe("account");
    expect(firstIssuePath(Contact.safeParse({ remote_created_at: "2024-06-01" }))).toBe("remote_created_at");
    expect(firstIssuePath(Contact.safeParse({ email_addresses: null }))).toBe("email_addresses");
  });

  it("refuses an address type outside BILLING and SHIPPING", () => {
    expect(firstIssuePath(Contact.safeParse({ addresses: [{ address_type: "HOME" }] }))).toBe(
      "addresses.0.address_type",
    );
  });
});

describe("crm ContactRequest and PatchedContactRequest", () => {
  it("accept a realistic create and patch", () => {
    expect(ContactRequest.parse(exampleContactRequest)).toEqual(exampleContactRequest);
    expect(PatchedContactRequest.parse(examplePatchedContactRequest)).toEqual(examplePatchedContactRequest);
  });

  it("PATCH takes the account as an id only, as Merge's SDK types it", () => {
    expect(firstIssuePath(PatchedContactRequest.safeParse({ account: exampleAccount }))).toBe("account");
  });

  it("refuses wrong types in nested write shapes", () => {
    expect(firstIssuePath(ContactRequest.safeParse({ phone_numbers: [{ phone_number: 5 }] }))).toBe(
      "phone_numbers.0.phone_number",
    );
    expect(firstIssuePath(ContactRequest.safeParse({ addresses: [{ country: "England" }] }))).toBe(
      "addresses.0.country",
    );
    expect(firstIssuePath(ContactRequest.safeParse({ last_activity_at: 1700000000 }))).toBe(
      "last_activity_at",
    );
  });
});
