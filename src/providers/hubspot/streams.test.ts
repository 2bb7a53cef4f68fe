/**
 * The HubSpot streams against the emulator, through the real HTTP client: full reads match the
 * emulator's ground truth, incremental reads yield exactly what changed, the 10,000-result search window
 * is sliced without loss, and every page's state resumes exactly after it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsRejectedError, type StreamPage, type SyncRecord } from "../../core/index.ts";
import type { ClosableHttpClient } from "../../http/index.ts";
import {
  type ApiObject,
  type HubSpotEmulator,
  type ObjectTypeName,
  startHubSpotEmulator,
} from "./emulator/index.ts";
import { hubspot } from "./index.ts";
import { emulatorClient, lastState, readPages, recordsOf } from "./test-harness.ts";

const FAST = { maxPerInterval: 10_000_000, searchPerSecond: 10_000_000, daily: 100_000_000 };
const open: { emulator: HubSpotEmulator; http: ClosableHttpClient }[] = [];

async function setup(options: Parameters<typeof startHubSpotEmulator>[0]) {
  const emulator = await startHubSpotEmulator({ rateLimit: FAST, ...options });
  const http = emulatorClient(emulator);
  open.push({ emulator, http });
  return { emulator, http };
}
afterAll(async () => {
  for (const { emulator, http } of open) {
    await http.close();
    await emulator.close();
  }
});

/**
 * Records by the phase that read them. A page is read by the phase its predecessor's state points at
 * (the first page by the association check, or the first phase of a read without one).
 */
function recordsByPhase(pages: readonly StreamPage[]): Map<string, SyncRecord[]> {
  const byPhase = new Map<string, SyncRecord[]>();
  pages.forEach((page, k) => {
    const phase = k === 0 ? "first" : String((pages[k - 1]!.state.position as { phase: string }).phase);
    byPhase.set(phase, [...(byPhase.get(phase) ?? []), ...page.records]);
  });
  return byPhase;
}

const byId = (records: readonly SyncRecord[]) =>
  new Map(records.map((record) => [String(record.id), record]));
const ids = (records: readonly SyncRecord[]) => records.map((record) => String(record.id));
const companyIdsOf = (truth: ApiObject) => [
  ...new Set(truth.associations?.companies?.results.map((r) => r.id) ?? []),
];

/** Checks a record against the emulator's view of it, converting HubSpot strings independently. */
function expectMatchesTruth(type: ObjectTypeName, record: SyncRecord | undefined, truth: ApiObject): void {
  expect(record, `record ${truth.id}`).toBeDefined();
  expect(record!.id).toBe(truth.id);
  expect(record!.createdAt).toBe(truth.createdAt);
  expect(record!.updatedAt).toBe(truth.updatedAt);
  expect(record!.archived).toBe(false);
  if (type !== "companies") expect(record!.companyIds).toEqual(companyIdsOf(truth));
  for (const [name, raw] of Object.entries(truth.properties)) {
    const value = record![name];
    if (raw === null || raw === "") expect(value, name).toBeNull();
    else if (typeof value === "number") expect(value, name).toBe(Number(raw));
    else if (typeof value === "boolean") expect(String(value), name).toBe(raw);
    else if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) expect(value, name).toBe(new Date(raw).toISOString());
    else expect(value, name).toBe(raw);
  }
}

describe("full refresh", () => {
  let emulator: HubSpotEmulator;
  let http: ClosableHttpClient;
  beforeAll(async () => {
    ({ emulator, http } = await setup({ seed: 31, counts: { contacts: 450, companies: 60, deals: 230 } }));
  });

  it.each(["contacts", "companies", "deals"] as const)(
    "reads every %s exactly as the API holds them",
    async (type) => {
      const pages = await readPages(http, type, { fullRefresh: true });
      const truth = emulator.groundTruth(type);
      const records = recordsOf(pages);
      expect(ids(records)).toEqual(truth.records.map((record) => record.id));
      const found = byId(records);
      for (const expected of truth.records) expectMatchesTruth(type, found.get(expected.id), expected);
      // The cursor starts at the latest change seen before listing, skipping the records already read there.
      const latest = truth.records
        .map((record) => record.updatedAt)
        .sort()
        .at(-1)!;
      const atLatest = truth.records
        .filter((record) => record.updatedAt === latest)
        .map((record) => record.id);
      const { associations, ...cursor } = lastState(pages);
      expect(cursor).toEqual({ since: latest, sinceIds: atLatest });
      // Objects with company ids keep a fingerprint of their associations (read before any record).
      expect(associations === undefined).toBe(type === "companies");
    },
  );

  it("types well-known properties (numbers, integers, booleans, timestamps)", async () => {
    const deals = recordsOf(await readPages(http, "deals", { fullRefresh: true }));
    const companies = recordsOf(await readPages(http, "companies", { fullRefresh: true }));
    expect(deals.some((deal) => typeof deal.amount === "number" && !Number.isInteger(deal.amount))).toBe(
      true,
    );
    expect(deals.every((deal) => typeof deal.hs_is_closed === "boolean")).toBe(true);
    expect(deals.every((deal) => typeof deal.hs_object_id === "number")).toBe(true);
    expect(
      companies
        .filter((c) => c.numberofemployees !== null)
        .every((c) => Number.isInteger(c.numberofemployees)),
    ).toBe(true);
    expect(hubspot.streams.find((stream) => stream.name === "deals")!.schema.columns).toMatchObject({
      id: "string",
      amount: "number",
      closedate: "timestamp",
      companyIds: "json",
      archived: "boolean",
      archivedAt: "timestamp",
    });
  });

  it("resumes from any mid-read state with exactly the remaining records", async () => {
    emulator.mutate({ type: "deals", archives: 12 });
    const pages = await readPages(http, "deals", { fullRefresh: true });
    // The association check (no records), 230 - 12 live deals in 3 list pages, then one archived page.
    expect(pages).toHaveLength(5);
    expect(pages[0]!.records).toEqual([]);
    for (let k = 0; k < pages.length - 1; k++) {
      const resumed = await readPages(http, "deals", { fullRefresh: true, state: pages[k]!.state });
      expect(ids(recordsOf(resumed))).toEqual(ids(recordsOf(pages.slice(k + 1))));
      expect(lastState(resumed)).toEqual(lastState(pages));
    }
    const archived = pages[4]!.records;
    expect(archived.map((record) => record.id).sort()).toEqual(
      [...emulator.groundTruth("deals").archivedIds].sort(),
    );
    expect(
      archived.every((record) => record.archived === true && typeof record.archivedAt === "string"),
    ).toBe(true);
    expect(lastState(pages).archivedSince).toBe(
      archived
        .map((record) => record.archivedAt as string)
        .sort()
        .at(-1),
    );
    emulator.reset();
  });

  it("checks credentials with one call, and rejects a bad token", async () => {
    await expect(hubspot.checkCredentials(http)).resolves.toBeUndefined();
    emulator.expireToken(emulator.tokens[0]!);
    await expect(hubspot.checkCredentials(http)).rejects.toBeInstanceOf(CredentialsRejectedError);
    emulator.reset();
  });
});

describe("incremental", () => {
  it("yields exactly the changed and archived records, once each, then nothing", async () => {
    const { emulator, http } = await setup({ seed: 32, counts: { contacts: 600, companies: 40, deals: 50 } });
    const full = await readPages(http, "contacts", { fullRefresh: true });
    const change = emulator.mutate({ type: "contacts", updates: 37, creates: 6, archives: 5 });
    const pages = await readPages(http, "contacts", { fullRefresh: false, state: lastState(full) });
    const phases = recordsByPhase(pages);
    const live = phases.get("changes") ?? [];
    expect(ids(live).sort()).toEqual([...change.updated, ...change.created].sort());
    expect(ids(phases.get("archived") ?? []).sort()).toEqual([...change.archived].sort());
    expect(ids(recordsOf(pages).filter((record) => record.archived)).sort()).toEqual(
      [...change.archived].sort(),
    );
    const truth = new Map(emulator.groundTruth("contacts").records.map((record) => [record.id, record]));
    for (const record of live) expectMatchesTruth("contacts", record, truth.get(String(record.id))!);
    const updatedAt = live.map((record) => record.updatedAt as string);
    expect(updatedAt).toEqual([...updatedAt].sort());
    // Archiving and creating contacts changed the company associations of their id ranges, which are
    // re-read: each record there is changed, or exactly as the full read left it.
    const changed = new Set([...change.updated, ...change.created]);
    const before = byId(recordsOf(full));
    const reread = phases.get("reassociate") ?? [];
    expect(reread.length).toBeGreaterThan(0);
    for (const record of reread) {
      expectMatchesTruth("contacts", record, truth.get(String(record.id))!);
      if (!changed.has(String(record.id))) expect(record).toEqual(before.get(String(record.id)));
    }

    const again = await readPages(http, "contacts", { fullRefresh: false, state: lastState(pages) });
    expect(recordsOf(again)).toEqual([]);
    expect(lastState(again)).toEqual(lastState(pages));
  });

  it("re-reads only the id ranges whose company associations changed, though no time moved", async () => {
    const { emulator, http } = await setup({ seed: 37, counts: { contacts: 3000, companies: 50, deals: 5 } });
    const full = await readPages(http, "contacts", { fullRefresh: true });
    const { width } = lastState(full).associations as { width: number };
    const moved = emulator.mutate({ type: "contacts", reassociations: 4 }).reassociated;
    const pages = await readPages(http, "contacts", { fullRefresh: false, state: lastState(full) });
    const records = recordsOf(pages);
    // Every moved contact comes with its new company ids; the others read are unchanged.
    const truth = new Map(emulator.groundTruth("contacts").records.map((record) => [record.id, record]));
    const before = byId(recordsOf(full));
    for (const id of moved) expectMatchesTruth("contacts", byId(records).get(id), truth.get(id)!);
    for (const record of records.filter((r) => !moved.includes(String(r.id)))) {
      expect(record).toEqual(before.get(String(record.id)));
    }
    // Only the ranges of the moved contacts were read: at most 4 ranges of `width` ids, not all 3000.
    const ranges = new Set(moved.map((id) => Math.floor(Number(id) / width)));
    expect(new Set(records.map((record) => Math.floor(Number(record.id) / width)))).toEqual(ranges);
    expect(records.length).toBeLessThanOrEqual(ranges.size * 500 + 200);
    // Nothing changed since: the next read re-reads nothing.
    expect(
      recordsOf(await readPages(http, "contacts", { fullRefresh: false, state: lastState(pages) })),
    ).toEqual([]);
  });

  it("slices past the 10,000-result search window without losing or repeating records", async () => {
    const { emulator, http } = await setup({
      seed: 33,
      counts: { contacts: 12_000, companies: 30, deals: 5 },
    });
    // An incremental read from the beginning of time matches all 12,000 contacts in one search.
    const everything = await readPages(http, "contacts", {
      fullRefresh: false,
      state: { since: "1970-01-01T00:00:00.000Z" },
    });
    const all = ids(recordsOf(everything));
    expect(all).toHaveLength(12_000);
    expect(new Set(all).size).toBe(12_000);

    // 10,500 changes sharing one timestamp: `since` cannot move, so the read walks that instant by id.
    const change = emulator.mutate({ type: "contacts", updates: 10_500, stepMs: 0 });
    const pages = await readPages(http, "contacts", { fullRefresh: false, state: lastState(everything) });
    const changed = ids(recordsOf(pages));
    expect(new Set(changed)).toEqual(new Set(change.updated));
    // Only the first page before the tie walk may repeat (at most one page of 200).
    expect(changed.length - change.updated.length).toBeLessThanOrEqual(200);
    expect(
      recordsOf(await readPages(http, "contacts", { fullRefresh: false, state: lastState(pages) })),
    ).toEqual([]);
  });

  it("resumes a mid-read incremental state with the remainder", async () => {
    const { emulator, http } = await setup({
      seed: 34,
      counts: { contacts: 100, companies: 10, deals: 900 },
    });
    const full = await readPages(http, "deals", { fullRefresh: true });
    const change = emulator.mutate({ type: "deals", updates: 500, archives: 3, stepMs: 7 });
    const pages = await readPages(http, "deals", { fullRefresh: false, state: lastState(full) });
    expect(ids(recordsByPhase(pages).get("changes")!).sort()).toEqual([...change.updated].sort());
    // Resume from every page: the association check and the re-read of changed ranges, then the changes.
    const phases = pages.map((page) => (page.state.position as { phase: string } | undefined)?.phase);
    expect(phases).toContain("reassociate");
    expect(phases.filter((phase) => phase === "changes").length).toBeGreaterThan(2);
    for (let k = 0; k < pages.length - 1; k++) {
      const resumed = await readPages(http, "deals", { fullRefresh: false, state: pages[k]!.state });
      expect(ids(recordsOf(resumed))).toEqual(ids(recordsOf(pages.slice(k + 1))));
      expect(lastState(resumed)).toEqual(lastState(pages));
    }
  });

  it("carries properties added in HubSpot since the last read", async () => {
    const { emulator, http } = await setup({ seed: 35, counts: { contacts: 80, companies: 10, deals: 10 } });
    const full = await readPages(http, "contacts", { fullRefresh: true });
    expect(recordsOf(full)[0]).not.toHaveProperty("loyalty_points");
    emulator.addProperty("contacts", {
      name: "loyalty_points",
      label: "Loyalty points",
      type: "number",
      fieldType: "number",
    });
    const change = emulator.mutate({ type: "contacts", updates: 4 });
    const records = recordsOf(
      await readPages(http, "contacts", { fullRefresh: false, state: lastState(full) }),
    );
    expect(ids(records).sort()).toEqual([...change.updated].sort());
    expect(records.every((record) => typeof record.loyalty_points === "number")).toBe(true);
  });
});

describe("faults", () => {
  it("still reads exactly the ground truth through 429s, 5xx, dropped connections and broken bodies", async () => {
    const emulator = await startHubSpotEmulator({
      seed: 36,
      counts: { contacts: 1200, companies: 20, deals: 10 },
      rateLimit: FAST,
      faults: { seed: 9, rate429: 0.1, rate5xx: 0.1, dropRate: 0.05, malformedRate: 0.05, htmlRate: 0.05 },
    });
    const retries: string[] = [];
    const http = emulatorClient(emulator, (event) => {
      if (event.type === "retry") retries.push(event.reason);
    });
    open.push({ emulator, http });
    const records = recordsOf(await readPages(http, "contacts", { fullRefresh: true }));
    const truth = emulator.groundTruth("contacts").records;
    expect(ids(records)).toEqual(truth.map((record) => record.id));
    const found = byId(records);
    for (const expected of truth) expectMatchesTruth("contacts", found.get(expected.id), expected);
    // The faults really happened: several kinds of problems were retried.
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(new Set(retries.map((reason) => reason.split(/[ :(]/)[0])).size).toBeGreaterThanOrEqual(2);
  });
});
