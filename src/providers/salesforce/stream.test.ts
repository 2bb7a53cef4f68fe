/**
 * The SOQL stream's checkpoints: a read stopped after a batch resumes from the saved nextRecordsUrl; when
 * that query locator has expired (Salesforce keeps them 15 idle minutes) the pass starts again from its
 * first batch instead of failing, and still ends with every record once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamState, SyncRecord } from "../../core/index.ts";
import { createHttpClient } from "../../http/index.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "./emulator/index.ts";
import { salesforce } from "./index.ts";

let emulator: SalesforceEmulator;
beforeAll(async () => {
  emulator = await startSalesforceEmulator({ size: { contacts: 95 }, largestBatch: 20 });
});
afterAll(() => emulator.close());

const contacts = salesforce.streams.find((stream) => stream.name === "contacts")!;
const logged: string[] = [];

/** Reads from `state` until the end, or stops after `maxPages` pages; returns the records and last state. */
async function read(state: StreamState | undefined, maxPages = Number.POSITIVE_INFINITY) {
  const http = createHttpClient({
    provider: "Salesforce",
    baseUrl: emulator.url,
    auth: salesforce.auth,
    credentials: { type: "bearer", token: emulator.tokens[0]! },
    allowPrivateAddresses: true,
    maxAttempts: 1,
  });
  const records: SyncRecord[] = [];
  let last = state;
  let pages = 0;
  try {
    const log = { log: (_level: string, message: string) => void logged.push(message) };
    for await (const page of contacts.read({
      http,
      state,
      fullRefresh: state === undefined,
      signal: new AbortController().signal,
      log,
    })) {
      records.push(...page.records);
      last = page.state;
      if (++pages >= maxPages) break;
    }
  } finally {
    await http.close();
  }
  return { records, state: last, pages };
}

describe("the Salesforce SOQL stream", () => {
  it("resumes a stopped read from its saved nextRecordsUrl", async () => {
    const first = await read(undefined, 2);
    expect(first.records).toHaveLength(40);
    expect((first.state?.pass as { next?: string } | undefined)?.next).toMatch(
      /\/query\/01g[0-9A-Za-z]{15}-40$/,
    );
    const rest = await read(first.state);
    expect(rest.pages).toBe(3);
    const ids = [...first.records, ...rest.records].map((record) => record.Id);
    expect(new Set(ids).size).toBe(95);
    expect(rest.state).toEqual({ highWater: expect.any(String) });
  });

  it("starts the pass again from its first batch when the saved query locator has expired", async () => {
    const first = await read(undefined, 1);
    expect(emulator.expireQueryLocators()).toBeGreaterThan(0);
    const rest = await read(first.state);
    expect(rest.records.map((record) => record.Id).sort()).toEqual(
      emulator
        .groundTruth("Contact")
        .live.map((record) => record.Id)
        .sort(),
    );
    expect(logged.some((message) => message.includes("query locator"))).toBe(true);
  });
});
