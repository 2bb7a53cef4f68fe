/** The uniform emulator handle: its truth is what the connector reads, before and after changes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle, SyncRecord } from "../../../core/index.ts";
import { createHttpClient } from "../../../http/index.ts";
import { salesforce } from "../index.ts";

let handle: EmulatorHandle;
beforeAll(async () => {
  handle = await salesforce.emulator!({ records: 30, seed: 2, unlimited: true });
});
afterAll(() => handle.close());

async function readAll(streamName: string, credentials = handle.credentials): Promise<SyncRecord[]> {
  const http = createHttpClient({
    provider: "Salesforce",
    baseUrl: handle.url,
    auth: salesforce.auth,
    credentials,
    allowPrivateAddresses: true,
    maxAttempts: 1,
  });
  const stream = salesforce.streams.find((s) => s.name === streamName)!;
  const records: SyncRecord[] = [];
  try {
    const ctx = {
      http,
      state: undefined,
      fullRefresh: true,
      signal: new AbortController().signal,
      log: { log() {} },
    };
    for await (const page of stream.read(ctx)) records.push(...page.records);
  } finally {
    await http.close();
  }
  return records;
}

describe("Salesforce emulator handle", () => {
  it("vouches for exactly the records the connector reads, and for the deletes it makes", async () => {
    expect(handle.streams).toEqual(salesforce.streams.map((stream) => stream.name));
    await handle.mutate({ contacts: { updates: 3, creates: 2, deletes: 4 } });
    const truth = await handle.truth("contacts");
    expect(truth.deleted.size).toBe(4);
    const read = await readAll("contacts");
    expect(read).toHaveLength(28);
    for (const record of read)
      expect(truth.live.get(String(record.Id))).toEqual({
        Id: record.Id,
        SystemModstamp: record.SystemModstamp,
        Name: record.Name,
      });
    await expect(readAll("users", handle.rejectedCredentials)).rejects.toMatchObject({
      code: "credentials_rejected",
    });
  });
});
