import { describe, expect, it } from "vitest";
import { asCrmObject, crmObjectSchema } from "./responses.ts";

const usual = () => ({
  id: "101",
  properties: { email: "a@b.c", hubspotscore: "3", phone: null, n: 4, flag: false },
  createdAt: "2021-01-01T00:00:09.233Z",
  updatedAt: "2021-08-15T19:29:33.474Z",
  archived: false,
  associations: {
    companies: {
      results: [
        { id: "7000001542", type: "contact_to_company" },
        { id: "7000001542", type: "contact_to_company_unlabeled" },
      ],
    },
  },
});

/** Variants of the usual object: each is either taken by the hand check or left to the schema. */
const variants: Record<string, () => Record<string, unknown>> = {
  usual,
  "no associations": () => ({ ...usual(), associations: undefined }),
  "archived with a time": () => ({ ...usual(), archived: true, archivedAt: "2022-01-01T00:00:00.000Z" }),
  "without archived": () => {
    const { archived: _, ...rest } = usual();
    return rest;
  },
  "an unknown field": () => ({ ...usual(), extra: { nested: 1 } }),
  "a numeric id": () => ({ ...usual(), id: 101 }),
  "an empty id": () => ({ ...usual(), id: "" }),
  "no id": () => ({ ...usual(), id: undefined }),
  "an object property": () => ({ ...usual(), properties: { email: { x: 1 } } }),
  "an infinite property": () => ({ ...usual(), properties: { n: Number.POSITIVE_INFINITY } }),
  "properties as an array": () => ({ ...usual(), properties: ["a"] }),
  "a numeric time": () => ({ ...usual(), updatedAt: 5 }),
  "archived as text": () => ({ ...usual(), archived: "false" }),
  "a numeric association id": () => ({ ...usual(), associations: { companies: { results: [{ id: 7 }] } } }),
  "an association without id": () => ({
    ...usual(),
    associations: { companies: { results: [{ type: "x" }] } },
  }),
  "an association with an extra field": () => ({
    ...usual(),
    associations: { companies: { results: [{ id: "7", label: "x" }] } },
  }),
  "association paging": () => ({
    ...usual(),
    associations: { companies: { results: [{ id: "7" }], paging: { next: { after: "1" } } } },
  }),
  "associations without results": () => ({ ...usual(), associations: { companies: {} } }),
};

describe("asCrmObject", () => {
  for (const [name, make] of Object.entries(variants)) {
    it(`agrees with crmObjectSchema: ${name}`, () => {
      const raw = make();
      const fast = asCrmObject(raw);
      const schema = crmObjectSchema.safeParse(raw);
      // Never accepts what the schema refuses; what it accepts, it returns as the schema would.
      if (!schema.success) expect(fast).toBeUndefined();
      if (fast !== undefined) expect(fast).toEqual(schema.data);
    });
  }

  it("takes the usual shapes itself", () => {
    for (const name of [
      "usual",
      "no associations",
      "archived with a time",
      "without archived",
      "an unknown field",
    ])
      expect(asCrmObject(variants[name]!()), name).toBeDefined();
  });
});
