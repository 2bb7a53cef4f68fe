/**
 * `pipedrive.emulator()`: the handle the demo and the conformance suite drive, started without importing
 * the emulator by name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsRejectedError, type EmulatorHandle } from "../../../core/index.ts";
import { createHttpClient } from "../../../http/index.ts";
import { pipedrive } from "../index.ts";

let handle: EmulatorHandle;
beforeAll(async () => {
  handle = await pipedrive.emulator!({ records: 20, unlimited: true, seed: 5 });
});
afterAll(() => handle.close());

const client = (credentials: EmulatorHandle["credentials"]) =>
  createHttpClient({
    provider: "pipedrive",
    baseUrl: handle.url,
    auth: pipedrive.auth,
    credentials,
    allowPrivateAddresses: true,
    maxAttempts: 1,
  });

describe("the Pipedrive emulator handle", () => {
  it("accepts its credentials and refuses the rejected ones through the check call", async () => {
    const good = client(handle.credentials);
    const bad = client(handle.rejectedCredentials);
    await expect(pipedrive.checkCredentials(good)).resolves.toBeUndefined();
    await expect(pipedrive.checkCredentials(bad)).rejects.toBeInstanceOf(CredentialsRejectedError);
    await good.close();
    await bad.close();
  });

  it("changes a stream's data and reports its truth as the connector lands it", async () => {
    expect(handle.streams).toEqual(["persons", "organizations", "deals", "activities"]);
    const before = await handle.truth("deals");
    expect(before.live.size).toBe(20);
    await handle.mutate({ deals: { creates: 2, updates: 3, deletes: 1 } });
    const after = await handle.truth("deals");
    expect(after.live.size).toBe(21);
    expect(after.deleted.size).toBe(1);
    const [deletedId] = after.deleted;
    expect(before.live.has(deletedId!)).toBe(true);
    const some = [...after.live.values()][0]!;
    expect(some.update_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    await expect(handle.truth("leads")).rejects.toThrow(/no stream "leads"/);
  });
});
