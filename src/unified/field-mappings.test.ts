import { describe, expect, it } from "vitest";
import {
  applyFieldMappings,
  type FieldMapping,
  overridableFields,
  planFieldMappings,
  targetProblem,
  valueAtPath,
} from "./field-mappings.ts";
import { CreateFieldMappingRequest } from "./field-mappings-api.ts";
import { discoverRemoteFields, leafFields } from "./field-mappings-remote-fields.ts";

function mapping(extra: Partial<FieldMapping>): FieldMapping {
  return {
    id: "fm_1",
    environmentId: "env_1",
    connectionId: "conn_1",
    provider: "hubspot",
    model: "Contact",
    targetFieldName: "color",
    targetFieldDescription: "",
    traversalPath: ["color"],
    remoteMethod: "GET",
    remoteUrlPath: "/contacts/{id}",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...extra,
  };
}

const connection = { id: "conn_1", provider: "hubspot" };

describe("valueAtPath", () => {
  it("walks keys and list indexes, and is undefined where a step is missing", () => {
    const payload = { a: { b: [{ c: 1 }, { c: 2 }] }, n: null };
    expect(valueAtPath(payload, ["a", "b", 1, "c"])).toBe(2);
    expect(valueAtPath(payload, ["a", "x"])).toBeUndefined();
    expect(valueAtPath(payload, ["n", "x"])).toBeUndefined();
    expect(valueAtPath(payload, ["a", 0])).toBeUndefined();
    expect(valueAtPath(payload, ["constructor"])).toBeUndefined();
  });
});

describe("targets", () => {
  it("lets plain fields be overridden, not references, lists or bookkeeping", () => {
    const contact = [...overridableFields("Contact").keys()];
    expect(contact).toEqual(expect.arrayContaining(["first_name", "last_name", "remote_created_at"]));
    for (const name of ["account", "owner", "email_addresses", "id", "remote_data", "field_mappings"]) {
      expect(contact).not.toContain(name);
      expect(targetProblem("Contact", name)).toContain(name);
    }
    expect(targetProblem("Contact", "favorite_color")).toBeUndefined();
    expect(targetProblem("Contact", "first_name")).toBeUndefined();
    expect(targetProblem("Contact", "bad name")).toContain("letters, digits");
  });
});

describe("planFieldMappings and applyFieldMappings", () => {
  it("puts custom targets in field_mappings by level, and overrides plain fields", () => {
    const plans = planFieldMappings(
      [
        mapping({ id: "own", targetFieldName: "color" }),
        mapping({ id: "env", connectionId: null, targetFieldName: "tier", traversalPath: ["plan", "tier"] }),
        mapping({ id: "name", targetFieldName: "first_name", traversalPath: ["nickname"] }),
      ],
      connection,
    );
    const plan = plans.get("Contact")!;
    const fields = applyFieldMappings(
      "Contact",
      { first_name: "Ada", last_name: "L" },
      { color: "red", plan: { tier: "gold" }, nickname: "Countess" },
      plan,
    );
    expect(fields).toEqual({
      first_name: "Countess",
      last_name: "L",
      field_mappings: {
        organization_defined_targets: { tier: "gold" },
        linked_account_defined_targets: { color: "red" },
      },
    });
    // A missing value is null in field_mappings.
    expect(applyFieldMappings("Contact", {}, {}, plan).field_mappings).toEqual({
      organization_defined_targets: { tier: null },
      linked_account_defined_targets: { color: null },
    });
  });

  it("lets a connection's own mapping win over its environment's, and ignores other connections and providers", () => {
    const plans = planFieldMappings(
      [
        mapping({ id: "env", connectionId: null, traversalPath: ["env_color"] }),
        mapping({ id: "own", traversalPath: ["own_color"] }),
        mapping({ id: "other", connectionId: "conn_2", targetFieldName: "x" }),
        mapping({ id: "pd", connectionId: null, provider: "pipedrive", targetFieldName: "y" }),
      ],
      connection,
    );
    const targets = plans.get("Contact")!.targets;
    expect(targets.map((t) => [t.mappingId, t.kind])).toEqual([["own", "organization"]]);
    // The pipedrive target is organization-wide for the environment, but hubspot connections have no value.
    const own = planFieldMappings(
      [
        mapping({ targetFieldName: "y" }),
        mapping({ id: "pd", connectionId: null, provider: "pipedrive", targetFieldName: "y" }),
      ],
      connection,
    );
    expect(own.get("Contact")!.targets.map((t) => t.kind)).toEqual(["organization"]);
  });

  it("changes the fingerprint when a path changes, and not when nothing does", () => {
    const a = planFieldMappings([mapping({})], connection).get("Contact")!.fingerprint;
    const same = planFieldMappings([mapping({ updatedAt: "2027-01-01T00:00:00.000Z" })], connection).get(
      "Contact",
    )!;
    const moved = planFieldMappings([mapping({ traversalPath: ["other"] })], connection).get("Contact")!;
    expect(same.fingerprint).toBe(a);
    expect(moved.fingerprint).not.toBe(a);
  });

  it("converts an override to the field's type, and keeps the mapper's value when it cannot", () => {
    const plan = planFieldMappings(
      [
        mapping({ model: "Opportunity", targetFieldName: "amount", traversalPath: ["amount"] }),
        mapping({ model: "Opportunity", id: "2", targetFieldName: "close_date", traversalPath: ["closes"] }),
      ],
      connection,
    ).get("Opportunity")!;
    expect(
      applyFieldMappings("Opportunity", { amount: 1 }, { amount: "1500", closes: "2026-03-01" }, plan),
    ).toMatchObject({
      amount: 1500,
      close_date: "2026-03-01T00:00:00.000Z",
    });
    expect(applyFieldMappings("Opportunity", { amount: 1 }, { amount: "lots" }, plan)).toMatchObject({
      amount: 1,
    });
  });
});

describe("remote fields", () => {
  it("lists leaf paths of payloads and declared columns, with kinds, examples and coverage", () => {
    const fields = discoverRemoteFields(
      [
        { id: "1", name: "a", custom: { color: "red" }, tags: ["x"], score: 3, at: "2026-01-01T00:00:00Z" },
        { id: "2", name: null, custom: { color: "blue" }, score: 4 },
      ],
      { id: "string", created: "timestamp" },
    );
    const byPath = new Map(fields.map((f) => [f.path.join("."), f]));
    expect([...byPath.keys()]).toEqual(["at", "created", "custom.color", "id", "name", "score", "tags"]);
    expect(byPath.get("custom.color")).toMatchObject({
      kind: "string",
      declared: false,
      coverage: 1,
      examples: ["red", "blue"],
    });
    expect(byPath.get("created")).toMatchObject({ kind: "datetime", declared: true, coverage: 0 });
    expect(byPath.get("score")?.kind).toBe("number");
    expect(byPath.get("tags")?.kind).toBe("list");
    expect(byPath.get("at")?.kind).toBe("datetime");
    expect(byPath.get("name")?.coverage).toBe(0.5);
  });

  it("keeps lists whole and stops walking nested objects at depth 3", () => {
    const leaves = leafFields({ a: { b: { c: { d: 1 } } }, l: [{ x: 1 }], e: {} });
    expect(leaves.map(([path]) => path.join("."))).toEqual(["a.b.c", "l", "e"]);
  });
});

describe("CreateFieldMappingRequest", () => {
  const body = {
    target_field_name: "color",
    target_field_description: "",
    remote_field_traversal_path: ["color"],
    remote_method: "GET",
    remote_url_path: "/contacts/{id}",
    common_model_name: "Contact",
  };
  it("takes Merge's body, and refuses a jmes_path saying it is not supported", () => {
    expect(CreateFieldMappingRequest.safeParse(body).success).toBe(true);
    const refused = CreateFieldMappingRequest.safeParse({ ...body, jmes_path: "a.b" });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toContain("not supported");
    expect(CreateFieldMappingRequest.safeParse({ ...body, remote_field_traversal_path: [] }).success).toBe(
      false,
    );
  });
});
