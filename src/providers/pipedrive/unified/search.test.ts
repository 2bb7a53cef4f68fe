/**
 * Pipedrive's lookups by natural key against the emulator's v2 search: persons by email and organizations by
 * name, exact and not case sensitive, every record with the key listed (so two can be told apart), partial
 * matches left out; the search route refuses what Pipedrive refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClosableHttpClient, createHttpClient } from "../../../http/index.ts";
import { createOrganization, createPerson } from "../actions.ts";
import { type PipedriveEmulator, startPipedriveEmulator } from "../emulator/index.ts";
import { pipedrive } from "../index.ts";
import { searchPipedrive } from "./search.ts";

let emulator: PipedriveEmulator;
let http: ClosableHttpClient;

beforeAll(async () => {
  emulator = await startPipedriveEmulator({ counts: { persons: 5, organizations: 5, deals: 5 } });
  http = createHttpClient({
    provider: "pipedrive",
    baseUrl: emulator.url,
    allowPrivateAddresses: true,
    auth: pipedrive.auth,
    credentials: { type: "api_key", key: emulator.tokens[0]! },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  await http.close();
  await emulator.close();
});

describe("searchPipedrive", () => {
  it("finds persons by exact email, whatever the case; lists both of a shared email; leaves out partial matches", async () => {
    const ada = await createPerson(http, { name: "Ada", email: "Ada@Search.example" });
    const dup1 = await createPerson(http, { name: "Dup One", email: "dup@search.example" });
    const dup2 = await createPerson(http, { name: "Dup Two", email: "dup@search.example" });
    await createPerson(http, { name: "Adam", email: "xada@search.example.org" });
    const found = await searchPipedrive(http, "persons", "email", [
      "ada@search.example",
      "dup@search.example",
      "nobody@search.example",
    ]);
    expect(found).toEqual(
      new Map([
        ["ada@search.example", [String(ada.id)]],
        ["dup@search.example", [String(dup1.id), String(dup2.id)]],
      ]),
    );
  });

  it("finds organizations by exact name", async () => {
    const engines = await createOrganization(http, { name: "Analytical Engines" });
    await createOrganization(http, { name: "Analytical Engines Ltd" });
    const found = await searchPipedrive(http, "organizations", "name", ["analytical engines"]);
    expect(found).toEqual(new Map([["analytical engines", [String(engines.id)]]]));
  });

  it("the search route pages with a cursor, and refuses a short term and an unknown field with 400", async () => {
    const key = emulator.tokens[0]!;
    const get = (query: string) =>
      fetch(`${emulator.url}/api/v2/persons/search?${query}`, { headers: { "x-api-token": key } });
    const first = (await (await get("term=search.example&fields=email&limit=2")).json()) as {
      data: { items: { item: { id: number; emails: string[] } }[] };
      additional_data: { next_cursor: string | null };
    };
    expect(first.data.items).toHaveLength(2);
    expect(first.data.items[0]!.item.emails[0]).toMatch(/search\.example/i);
    expect(first.additional_data.next_cursor).toEqual(expect.any(String));
    expect((await get("term=a&fields=email")).status).toBe(400);
    expect((await get("term=a&fields=email&exact_match=true")).status).toBe(200);
    expect((await get("term=ada&fields=website")).status).toBe(400);
  });
});
