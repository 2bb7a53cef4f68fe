import { describe, expect, it } from "vitest";
import { exampleStage, exampleUser } from "./examples.ts";
import { Stage } from "./stage.ts";
import { firstIssuePath } from "./testing.ts";
import { User } from "./user.ts";

describe("crm User", () => {
  it("accepts a full user and keeps every field", () => {
    expect(User.parse(exampleUser)).toEqual(exampleUser);
  });

  it("refuses wrong types", () => {
    expect(firstIssuePath(User.safeParse({ is_active: "yes" }))).toBe("is_active");
    expect(firstIssuePath(User.safeParse({ email: ["a@b.example"] }))).toBe("email");
    expect(firstIssuePath(User.safeParse({ field_mappings: "none" }))).toBe("field_mappings");
  });
});

describe("crm Stage", () => {
  it("accepts a full stage and keeps every field", () => {
    expect(Stage.parse(exampleStage)).toEqual(exampleStage);
  });

  it("refuses wrong types", () => {
    expect(firstIssuePath(Stage.safeParse({ name: 3 }))).toBe("name");
    expect(firstIssuePath(Stage.safeParse({ remote_fields: [{ remote_field_class: 9 }] }))).toBe(
      "remote_fields.0.remote_field_class",
    );
  });
});
