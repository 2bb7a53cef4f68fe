import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderResponseError, RecordInvalidError } from "../../core/index.ts";
import { sendJson } from "../../http/test-server.ts";
import { defineStream } from "./define-stream.ts";
import type { SchemaSpec } from "./schema-spec.ts";
import { type LoopbackApi, readPages, recordsOf, startApi } from "./test-helpers.ts";

const COLOR_KEY = "9f3c1a0b7e";
const BUDGET_KEY = "4be0aa1d2c";

/** Pipedrive-style field definitions: built-in fields by name, custom ones by a hash key. */
const PERSON_FIELDS = [
  { key: "id", name: "ID", field_type: "int", edit_flag: false },
  { key: "name", name: "Name", field_type: "varchar", edit_flag: false },
  { key: "add_time", name: "Created", field_type: "date", edit_flag: false },
  { key: COLOR_KEY, name: "Preferred color", field_type: "enum", edit_flag: true },
  { key: BUDGET_KEY, name: "Name", field_type: "monetary", edit_flag: true },
];

let persons: Record<string, unknown>[];
let api: LoopbackApi;

beforeAll(async () => {
  api = await startApi((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/personFields") {
      const start = Number(url.searchParams.get("start") ?? 0);
      return sendJson(res, 200, { data: PERSON_FIELDS.slice(start, start + 3) });
    }
    if (url.pathname === "/personFieldsBroken") return sendJson(res, 200, { data: [{ name: "no key" }] });
    if (url.pathname === "/persons") return sendJson(res, 200, { data: persons });
    return sendJson(res, 404, { message: "no route" });
  });
});
afterAll(() => api.close());

function personsStream(discover: Partial<NonNullable<SchemaSpec["discover"]>> = {}) {
  return defineStream({
    name: "persons",
    primaryKey: "id",
    request: { path: "/persons" },
    records: "data",
    paginator: { type: "cursor", cursorPath: "next", param: "cursor" },
    schema: {
      columns: { id: "integer", name: "string" },
      discover: {
        request: { path: "/personFields" },
        records: "data",
        paginator: { type: "offset", offsetParam: "start", limitParam: "limit", limit: 3 },
        type: "field_type",
        types: { int: "integer", date: "timestamp", monetary: "number" },
        custom: { field: "edit_flag", equals: true },
        ...discover,
      },
    },
  });
}

describe("schema discovered from a fields endpoint", () => {
  it("names custom fields after their label, and types every field from the provider's types", async () => {
    persons = [
      { id: "7", name: "Ada", add_time: "2025-01-02 03:04:05", [COLOR_KEY]: "blue", [BUDGET_KEY]: "1250.5" },
    ];
    const [person] = recordsOf(await readPages(personsStream(), api.http, { fullRefresh: true }));
    expect(person).toEqual({
      id: 7,
      name: "Ada",
      add_time: "2025-01-02T03:04:05.000Z",
      preferred_color: "blue",
      // "Name" is taken by the built-in field, so the custom one keeps its key as a suffix.
      [`name_${BUDGET_KEY}`]: 1250.5,
    });
  });

  it("reads custom values from a nested object when the provider keeps them there", async () => {
    persons = [{ id: 8, name: "Bo", custom_fields: { [COLOR_KEY]: "red", other: 1 } }];
    const [person] = recordsOf(
      await readPages(personsStream({ customValuesAt: "custom_fields" }), api.http, { fullRefresh: true }),
    );
    expect(person).toEqual({ id: 8, name: "Bo", preferred_color: "red", custom_fields: { other: 1 } });
  });

  it("never names a custom field after a built-in field listed after it, nor types by inherited keys", async () => {
    const fields = [
      { key: "c0ffee", name: "Email", field_type: "constructor", edit_flag: true },
      { key: "email", name: "Email", field_type: "toString", edit_flag: false },
    ];
    const local = await startApi((req, res) =>
      req.url.startsWith("/personFields")
        ? sendJson(res, 200, { data: fields })
        : sendJson(res, 200, { data: [{ id: 1, name: "Di", email: "di@example.com", c0ffee: "work" }] }),
    );
    try {
      const stream = personsStream({ paginator: undefined });
      const [person] = recordsOf(await readPages(stream, local.http, { fullRefresh: true }));
      expect(person).toEqual({ id: 1, name: "Di", email: "di@example.com", email_c0ffee: "work" });
    } finally {
      await local.close();
    }
  });

  it("fails naming the record and field when a value is not of its discovered type", async () => {
    persons = [{ id: 9, name: "Cy", [BUDGET_KEY]: "lots" }];
    const error = await readPages(personsStream(), api.http, { fullRefresh: true }).catch((e) => e);
    expect(error).toBeInstanceOf(RecordInvalidError);
    expect(error.message).toContain(`record 9: field name_${BUDGET_KEY} "lots" is not a number`);
  });

  it("fails clearly when a field definition has no key", async () => {
    persons = [];
    const stream = personsStream({ request: { path: "/personFieldsBroken" }, paginator: undefined });
    const error = await readPages(stream, api.http, { fullRefresh: true }).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect(error.message).toContain('a field definition of /personFieldsBroken has no key at "key"');
  });
});
