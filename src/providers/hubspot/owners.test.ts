/**
 * The declared owners stream against the emulator: every active owner, then the deactivated ones (listed by
 * HubSpot only with `archived=true`) as deleted, paged by `after`, resumable from any page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClosableHttpClient } from "../../http/index.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "./emulator/index.ts";
import { emulatorClient, lastState, readPages, recordsOf, streamNamed } from "./test-harness.ts";

describe("owners", () => {
  let emulator: HubSpotEmulator;
  let http: ClosableHttpClient;
  beforeAll(async () => {
    // More than one page of 500 active owners.
    emulator = await startHubSpotEmulator({ seed: 41, owners: 700, rateLimit: { maxPerInterval: 100_000 } });
    http = emulatorClient(emulator);
  });
  afterAll(async () => {
    await http.close();
    await emulator.close();
  });

  it("reads the active owners, then the deactivated ones as deleted", async () => {
    const pages = await readPages(http, "owners", { fullRefresh: true });
    const truth = emulator.owners();
    const active = truth.filter((owner) => !owner.archived);
    const deactivated = truth.filter((owner) => owner.archived);
    expect(deactivated.length).toBeGreaterThan(0);
    const records = recordsOf(pages);
    expect(records.map((record) => record.id)).toEqual([...active, ...deactivated].map((owner) => owner.id));
    expect(records[0]).toEqual({ ...active[0], _deleted: false });
    expect(records.filter((record) => record._deleted).map((record) => record.id)).toEqual(
      deactivated.map((owner) => owner.id),
    );
    expect(streamNamed("owners")).toMatchObject({ primaryKey: "id", deletedField: "_deleted" });
    // Finished: nothing to resume, and no incremental mark (the owners API has no modification filter).
    expect(lastState(pages)).toEqual({});
  });

  it("resumes from any page with exactly the remaining owners", async () => {
    const pages = await readPages(http, "owners", { fullRefresh: true });
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (let k = 0; k < pages.length - 1; k++) {
      const resumed = await readPages(http, "owners", { fullRefresh: true, state: pages[k]!.state });
      expect(recordsOf(resumed).map((r) => r.id)).toEqual(recordsOf(pages.slice(k + 1)).map((r) => r.id));
    }
  });

  it("sees new, renamed and deactivated owners on the next read", async () => {
    const before = new Map(emulator.owners().map((owner) => [owner.id, owner]));
    const change = emulator.mutateOwners({ creates: 2, updates: 1, archives: 1 });
    const records = new Map(
      recordsOf(await readPages(http, "owners", { fullRefresh: true })).map((r) => [String(r.id), r]),
    );
    for (const id of change.created) expect(records.get(id)).toMatchObject({ _deleted: false });
    const [renamed] = change.updated;
    expect(records.get(renamed!)?.lastName).toBe(emulator.owners().find((o) => o.id === renamed)?.lastName);
    expect(records.get(renamed!)?.updatedAt).not.toBe(before.get(renamed!)?.updatedAt);
    expect(records.get(change.archived[0]!)).toMatchObject({ archived: true, _deleted: true });
    emulator.reset();
    expect(emulator.owners()).toEqual([...before.values()]);
  });
});
