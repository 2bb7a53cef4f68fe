/** Field mapping: rows into nested inputs, and paths checked against an action's JSON Schema. */
import { describe, expect, it } from "vitest";
import { buildFields, checkPath } from "./mapping.ts";

describe("buildFields", () => {
  it("sets dotted paths, numeric steps as list items, missing values as null", () => {
    const fields = buildFields({ email: "a@x.example", name: "Ada" }, [
      { column: "email", field: "email_addresses.0.email_address" },
      { column: "name", field: "properties.firstname" },
      { column: "absent", field: "properties.lastname" },
    ]);
    expect(fields).toEqual({
      email_addresses: [{ email_address: "a@x.example" }],
      properties: { firstname: "Ada", lastname: null },
    });
  });
});

describe("checkPath", () => {
  const schema = {
    type: "object",
    properties: {
      properties: {
        type: "object",
        propertyNames: { pattern: "^[a-z0-9_]{1,100}$" },
        additionalProperties: { type: "string" },
      },
      company_id: { type: "string" },
    },
  };

  it("accepts declared fields and names the open record allows", () => {
    expect(checkPath(schema, "company_id")).toBeUndefined();
    expect(checkPath(schema, "properties.my_custom_field")).toBeUndefined();
  });

  it("says which step is wrong and what the fields are", () => {
    expect(checkPath(schema, "email")).toBe('"email" is not a field; its fields are: properties, company_id');
    expect(checkPath(schema, "properties.Bad-Name")).toMatch(/not a valid name under properties/);
    expect(checkPath(schema, "company_id.x")).toMatch(/"x" is not a field of company_id/);
  });
});
