/**
 * Reliability: bad input (docs/reliability.md), the cases test/integration/bad-input.test.ts and the
 * conformance suite do not cover (they cover malformed JSON, an HTML page with status 200, a rejected token,
 * an unknown stream and a record without its primary key). A proxy in front of the HubSpot emulator rewrites
 * one page of contacts: a field of the wrong type, bytes that are not UTF-8. Each run ends with a clear,
 * typed error, the process lives on, the committed state and records stay exactly as they were,
 * and the next good run lands the emulator's truth. A 10 MB record is valid data, not bad input: the run
 * reads it and succeeds, and the process lives on. Then broken config: a connection whose stored config is
 * not JSON fails its run with config_invalid naming the connection, instead of a parser's message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openConnection } from "../../src/app/connections/connections.ts";
import type { EmulatorHandle } from "../../src/core/index.ts";
import { loadVault } from "../../src/vault/index.ts";
import {
  committedSnapshot,
  compareWithTruth,
  openSyncWorld,
  type SyncWorld,
} from "../conformance/sync-world.ts";
import { providerWithEmulator, startEmulator } from "../helpers/emulators.ts";
import { startRewritingProxy } from "../helpers/rewriting-proxy.ts";
import { tempDir } from "../helpers/temp-store.ts";

const provider = providerWithEmulator("hubspot");
const STREAMS = ["contacts"];
const TEN_MB = 10 * 1024 * 1024;

let emulator: EmulatorHandle;
let proxy: Awaited<ReturnType<typeof startRewritingProxy>>;
let world: SyncWorld;

/** Rewrites the first contact of each page of the contacts list with `change`. */
function firstContact(change: (contact: Record<string, unknown>) => void) {
  return (path: string, body: Buffer) => {
    if (!path.startsWith("/crm/v3/objects/contacts")) return undefined;
    const page = JSON.parse(body.toString("utf8")) as { results?: Record<string, unknown>[] };
    if (!page.results?.[0]) return undefined;
    change(page.results[0]);
    return Buffer.from(JSON.stringify(page));
  };
}

/** Puts two bytes that are not UTF-8 into the first contact's first name. */
function notUtf8(path: string, body: Buffer): Buffer | undefined {
  if (!path.startsWith("/crm/v3/objects/contacts")) return undefined;
  const marker = Buffer.from('"firstname":"');
  const at = body.indexOf(marker);
  if (at < 0) return undefined;
  const cut = at + marker.length;
  return Buffer.concat([body.subarray(0, cut), Buffer.from([0xc3, 0x28, 0xff]), body.subarray(cut)]);
}

async function expectTheTruth() {
  for (const stream of STREAMS) {
    const landed = await compareWithTruth(world, provider, emulator, stream);
    expect(landed.cache, stream).toEqual(landed.truth);
    expect(landed.warehouseHashes, stream).toEqual(landed.cacheHashes);
  }
}

describe("bad provider bodies", () => {
  beforeAll(async () => {
    emulator = await startEmulator(provider, { seed: 31, records: 60, unlimited: true });
    proxy = await startRewritingProxy(emulator.url);
    world = await openSyncWorld(provider, { ...emulator, url: proxy.url, streams: STREAMS });
    const first = await world.sync({ fullRefresh: true });
    expect(first.error, JSON.stringify(first.error)).toBeNull();
  });
  afterAll(async () => {
    await world?.close();
    await proxy?.close();
    await emulator?.close();
  });

  it.each([
    [
      "a field of the wrong type (properties as a string)",
      firstContact((c) => (c.properties = "oops")),
      "record_invalid",
    ],
    [
      "a field of the wrong type (updatedAt as a number)",
      firstContact((c) => (c.updatedAt = 42)),
      "record_invalid",
    ],
    ["bytes that are not UTF-8", notUtf8, "provider_response_malformed"],
  ] as const)(
    "%s: a clear error on the run, state unchanged, the next run lands the truth",
    async (_, rewrite, code) => {
      await emulator.mutate({ contacts: { updates: 5 } });
      const before = await committedSnapshot(world, provider, STREAMS);
      proxy.rewrite = rewrite;
      const run = await world.sync().finally(() => {
        proxy.rewrite = undefined;
      });
      expect(run.status, JSON.stringify(run.stats)).toBe("failed");
      expect(run.error?.code, JSON.stringify(run.error)).toBe(code);
      // It says what was wrong and what to do.
      expect(run.error?.message).toMatch(/contacts|UTF-8/);
      expect(run.error?.hint).toBeTruthy();
      expect(await committedSnapshot(world, provider, STREAMS)).toEqual(before);
      const next = await world.sync();
      expect(next.error, JSON.stringify(next.error)).toBeNull();
      await expectTheTruth();
    },
  );

  it("a 10 MB record is not an error: the run reads it and succeeds, and the next run lands the truth", async () => {
    await emulator.mutate({ contacts: { updates: 2 } });
    proxy.rewrite = firstContact((contact) => {
      // A property the connector keeps (it reads the properties it asked for).
      (contact.properties as Record<string, unknown>).firstname = "x".repeat(TEN_MB);
    });
    const run = await world.sync().finally(() => {
      proxy.rewrite = undefined;
    });
    expect(run.error, JSON.stringify(run.error)).toBeNull();
    // The 10 MB page was read and the run went through it.
    expect(run.stats.bytes).toBeGreaterThan(TEN_MB);
    const next = await world.sync({ fullRefresh: true });
    expect(next.error, JSON.stringify(next.error)).toBeNull();
    await expectTheTruth();
  });
});

describe("broken config", () => {
  it("a stored config that is not JSON fails with config_invalid naming the connection", () => {
    const dir = tempDir();
    try {
      const vault = loadVault({ dataDir: dir.path });
      const row = {
        id: "conn_broken",
        credentials: vault.seal(JSON.stringify({ type: "bearer", token: "t" })),
        config: "{not json",
      } as Parameters<typeof openConnection>[1];
      expect(() => openConnection(vault, row)).toThrow(
        expect.objectContaining({ code: "config_invalid", message: expect.stringContaining("conn_broken") }),
      );
    } finally {
      dir.cleanup();
    }
  });
});
