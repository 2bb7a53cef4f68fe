/**
 * Pipedrive's lookups by natural key against the emulator's v2 search: persons by email and organizations by
 * name, exact and not case sensitive, every record with the key listed (so two can be told apart), partial
 * matches left out; the search route refuses what Pipedrive refuses.
 */
import { describe, expect, it } from "vitest";
import { createOrganization, createPerson } from "../actions.ts";
import { pipedriveTestWorld } from "../test-world.test-helper.ts";
import { searchPipedrive } from "./search.ts";

const world = pipedriveTestWorld();

describe("searchPipedrive", () => {
  it("finds persons by exact email, whatever the case; lists both of a shared email; leaves out partial matches", async () => {
    const ada = await createPerson(world.http, { name: "Ada", email: "Ada@Search.example" });
    const dup1 = await createPerson(world.http, { name: "Dup One", email: "dup@search.example" });
    const dup2 = await createPerson(world.http, { name: "Dup Two", email: "dup@search.example" });
    await createPerson(world.http, { name: "Adam", email: "xada@search.example.org" });
    const found = await searchPipedrive(world.http, "persons", "email", [
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
    const engines = await createOrganization(world.http, { name: "Analytical Engines" });
    await createOrganization(world.http, { name: "Analytical Engines Ltd" });
    const found = await searchPipedrive(world.http, "organizations", "name", ["analytical engines"]);
    expect(found).toEqual(new Map([["analytical engines", [String(engines.id)]]]));
  });

  it("the search route pages with a cursor, and refuses a short term and an unknown field with 400", async () => {
    const key = world.emulator.tokens[0]!;
    const get = (query: string) =>
      fetch(`${world.emulator.url}/api/v2/persons/search?${query}`, { headers: { "x-api-token": key } });
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
