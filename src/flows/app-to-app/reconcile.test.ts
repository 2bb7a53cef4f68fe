import { describe, expect, it } from "vitest";
import type { FieldRule } from "./definitions.ts";
import { matchesFilter } from "./filter.ts";
import { planOneWay, planTwoWay, readValues, valuesHash } from "./reconcile.ts";
import { applyTransforms } from "./transforms.ts";

const rules: FieldRule[] = [
  {
    from: "firstname",
    from_write: "properties.firstname",
    to: "name",
    transforms: [],
    reverse_transforms: [],
  },
  { from: "phone", to: "phone", to_read: "phones.0.value", transforms: [], reverse_transforms: [] },
];
const link = { from: { name: "Ada", phone: "1" }, to: { name: "Ada", phone: "1" } };
const at = (record: Record<string, unknown>, changedAt: string) => ({ record, changedAt });

describe("planOneWay", () => {
  it("creates with every value, then writes only what differs from the last write", () => {
    expect(planOneWay({ name: "Ada", email: "a@x" }, undefined).toWrite).toEqual({
      name: "Ada",
      email: "a@x",
    });
    const next = planOneWay({ name: "Ada", email: "b@x" }, { from: {}, to: { name: "Ada", email: "a@x" } });
    expect(next.toWrite).toEqual({ email: "b@x" });
    expect(planOneWay({ name: "Ada" }, { from: {}, to: { name: "Ada" } }).toWrite).toBeUndefined();
  });
});

describe("planTwoWay", () => {
  it("sends a field changed on one side to the other, each side in its own field names", () => {
    const plan = planTwoWay({
      rules,
      link,
      from: at({ firstname: "Ada", phone: "1" }, "2026-01-01T00:00:00Z"),
      to: at({ name: "Ada", phones: [{ value: "2" }] }, "2026-01-01T00:00:01Z"),
      conflict: { policy: "newest" },
    });
    expect(plan.toWrite).toBeUndefined();
    expect(plan.fromWrite).toEqual({ phone: "2" });
    expect(plan.next).toEqual({ from: { name: "Ada", phone: "2" }, to: { name: "Ada", phone: "2" } });
    expect(plan.conflicts).toBe(0);
  });

  it("resolves a field changed on both sides by the newest record, or by the field's source of truth", () => {
    const input = {
      rules,
      link,
      from: at({ firstname: "Grace", phone: "1" }, "2026-01-01T00:00:05Z"),
      to: at({ name: "Alan", phones: [{ value: "1" }] }, "2026-01-01T00:00:09Z"),
    };
    const newest = planTwoWay({ ...input, conflict: { policy: "newest" } });
    expect(newest.conflicts).toBe(1);
    expect(newest.fromWrite).toEqual({ "properties.firstname": "Alan" });
    expect(newest.toWrite).toBeUndefined();
    const truth = planTwoWay({ ...input, conflict: { policy: "source_of_truth", fields: { name: "from" } } });
    expect(truth.toWrite).toEqual({ name: "Grace" });
    expect(truth.fromWrite).toBeUndefined();
  });

  it("reads its own write back as no change (no loop), and remembers it by hash", () => {
    const written = { name: "Grace", phone: "1" };
    const plan = planTwoWay({
      rules,
      link: { from: written, to: written },
      from: at({ firstname: "Grace", phone: "1" }, "2026-01-01T00:00:05Z"),
      to: at({ name: "Grace", phones: [{ value: "1" }] }, "2026-01-01T00:00:09Z"),
      conflict: { policy: "newest" },
    });
    expect(plan.toWrite).toBeUndefined();
    expect(plan.fromWrite).toBeUndefined();
    expect(valuesHash(readValues({ name: "Grace", phones: [{ value: "1" }] }, rules, "to"))).toBe(
      valuesHash(written),
    );
  });

  it("creates a record of one side, not linked yet, on the other with every value", () => {
    const plan = planTwoWay({
      rules,
      link: undefined,
      from: undefined,
      to: at({ name: "Lin", phones: [{ value: "9" }] }, "2026-01-01T00:00:00Z"),
      conflict: { policy: "newest" },
    });
    expect(plan.fromWrite).toEqual({ "properties.firstname": "Lin", phone: "9" });
    expect(plan.toWrite).toBeUndefined();
  });
});

describe("filter and transforms", () => {
  it("evaluates clauses and transforms without evaluating code", () => {
    const contact = { lifecyclestage: "salesqualifiedlead", score: "42", first: " Ada ", last: "Lovelace" };
    expect(matchesFilter(contact, [{ field: "lifecyclestage", op: "=", value: "salesqualifiedlead" }])).toBe(
      true,
    );
    expect(matchesFilter(contact, [{ field: "score", op: ">", value: 50 }])).toBe(false);
    expect(matchesFilter(contact, [{ field: "missing", op: "not_exists" }])).toBe(true);
    expect(matchesFilter(contact, [{ field: "lifecyclestage", op: "in", value: ["lead"] }])).toBe(false);
    expect(
      applyTransforms(" Ada ", [{ op: "trim" }, { op: "concat", fields: ["last"], separator: " " }], contact),
    ).toBe("Ada Lovelace");
    expect(
      applyTransforms("lead", [{ op: "map_values", values: { lead: "Lead" }, otherwise: "Other" }], {}),
    ).toBe("Lead");
    expect(applyTransforms(null, [{ op: "default", value: "n/a" }], {})).toBe("n/a");
    expect(applyTransforms("2026-03-04T05:06:07Z", [{ op: "date_format", format: "date" }], {})).toBe(
      "2026-03-04",
    );
    expect(applyTransforms(1700000000, [{ op: "date_format", format: "datetime" }], {})).toBe(
      "2023-11-14T22:13:20.000Z",
    );
    expect(applyTransforms("ADA", [{ op: "lowercase" }], {})).toBe("ada");
  });
});
