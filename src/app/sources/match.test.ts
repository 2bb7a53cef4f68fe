/**
 * matchingWriter: the lookups of creates asked for together go out as one `find`; one record found turns the
 * create into an update of it (of no field in insert mode), two fail that row alone naming them, none
 * creates; fields without a key, and writers without `match`, are left as they are; a failed lookup fails
 * the rows that waited on it.
 */
import { describe, expect, it } from "vitest";
import type { HttpClient } from "../../core/index.ts";
import { emailKeyOf, type UnifiedWriter, type WriteContext } from "../../unified/writers.ts";
import { type MatchCounts, matchingWriter, type WithHttp } from "./match.ts";

const ctx: WriteContext = {
  remoteIdOf: async () => {
    throw new Error("no references here");
  },
};
const http = {} as HttpClient;
const withHttp: WithHttp = (use) => use(http);
const contact = (email?: string) => ({
  last_name: "L",
  ...(email ? { email_addresses: [{ email_address: email }] } : {}),
});

function fakeWriter(index: Record<string, string[]>, calls: string[][], fail = false): UnifiedWriter {
  return {
    provider: "fake",
    model: "Contact",
    stream: "contacts",
    fields: ["last_name", "email_addresses"],
    required: [],
    create: async (fields) => ({ action: "create", input: { ...fields } }),
    update: async (id, fields) => ({ action: "update", input: { id, ...fields } }),
    toRecord: () => ({}),
    match: {
      key: "email",
      keyOf: emailKeyOf,
      async find(client, keys) {
        expect(client).toBe(http);
        calls.push([...keys]);
        if (fail) throw new Error("search is down");
        return new Map(Object.entries(index).filter(([key]) => keys.includes(key)));
      },
    },
  };
}

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);

describe("matchingWriter", () => {
  it("looks up a page's keys in one call: one found -> update of it, two -> that row fails, none -> create", async () => {
    const calls: string[][] = [];
    const counts: MatchCounts = { matched: 0, ambiguous: 0 };
    const writer = matchingWriter(
      fakeWriter({ "ada@x.example": ["7"], "dup@x.example": ["8", "9"] }, calls),
      "upsert",
      withHttp,
      counts,
    );
    const [ada, dup, fresh, keyless] = await settle([
      writer.create(contact(" Ada@X.example "), ctx),
      writer.create(contact("dup@x.example"), ctx),
      writer.create(contact("new@x.example"), ctx),
      writer.create(contact(), ctx),
    ]);
    expect(calls).toEqual([["ada@x.example", "dup@x.example", "new@x.example"]]);
    expect(ada).toEqual({
      status: "fulfilled",
      value: { action: "update", input: { id: "7", ...contact(" Ada@X.example ") } },
    });
    expect(dup?.status).toBe("rejected");
    expect(String((dup as PromiseRejectedResult).reason.message)).toMatch(
      /2 existing fake Contact records have the email "dup@x.example" \(ids 8, 9\)/,
    );
    expect(fresh).toMatchObject({ status: "fulfilled", value: { action: "create" } });
    expect(keyless).toMatchObject({ status: "fulfilled", value: { action: "create" } });
    expect(counts).toEqual({ matched: 1, ambiguous: 1 });
  });

  it("insert mode links the record found without changing it", async () => {
    const counts: MatchCounts = { matched: 0, ambiguous: 0 };
    const writer = matchingWriter(fakeWriter({ "ada@x.example": ["7"] }, []), "insert", withHttp, counts);
    expect(await writer.create(contact("ada@x.example"), ctx)).toEqual({
      action: "update",
      input: { id: "7" },
    });
  });

  it("a failed lookup fails the rows that waited on it; a writer without match is itself", async () => {
    const counts: MatchCounts = { matched: 0, ambiguous: 0 };
    const writer = matchingWriter(fakeWriter({}, [], true), "upsert", withHttp, counts);
    await expect(writer.create(contact("ada@x.example"), ctx)).rejects.toThrow("search is down");
    const { match: _match, ...plain } = fakeWriter({}, []);
    expect(matchingWriter(plain, "upsert", withHttp, counts)).toBe(plain);
  });
});
