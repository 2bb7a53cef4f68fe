import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempStore } from "../../../test/helpers/temp-store.ts";
import { openStore, type Store } from "../open-store.ts";
import { findActiveApiKey, insertApiKey, revokeApiKey } from "./api-keys.ts";
import { setConnectionTags } from "./connection-tags.ts";
import { createConnection } from "./connections.ts";
import { listConnectionsIn } from "./environment-connections.ts";
import { ensureEnvironment, listEnvironments } from "./environments.ts";
import { appendEvent, listEvents } from "./events.ts";

let store: Store;
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ store, dir, cleanup } = await openTempStore());
});
afterEach(async () => {
  await cleanup();
});

describe("platform repositories", () => {
  it("creates dev and prod once, even when migrations run again", async () => {
    expect((await listEnvironments(store.db)).map((env) => env.name)).toEqual(["dev", "prod"]);
    const again = await openStore({ kind: "sqlite", path: `${dir}/switchyard.sqlite` });
    expect((await listEnvironments(again.db)).map((env) => env.name)).toEqual(["dev", "prod"]);
    await again.close();
  });

  it("finds keys by hash until they are revoked, and only within their environment", async () => {
    const dev = await ensureEnvironment(store.db, "dev");
    const prod = await ensureEnvironment(store.db, "prod");
    const key = await insertApiKey(store.db, {
      environmentId: dev.id,
      name: "k",
      prefix: "sy_dev_abcd",
      hash: "h1",
    });
    expect(await findActiveApiKey(store.db, "h1")).toMatchObject({ id: key.id, environment_name: "dev" });
    await expect(revokeApiKey(store.db, prod.id, key.id)).rejects.toThrow(/does not exist/);
    await revokeApiKey(store.db, dev.id, key.id);
    expect(await findActiveApiKey(store.db, "h1")).toBeUndefined();
  });

  it("pages connections with identical timestamps without skipping or repeating, and filters by all tags", async () => {
    const dev = await ensureEnvironment(store.db, "dev");
    const prod = await ensureEnvironment(store.db, "prod");
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const row = await createConnection(store.db, {
        environmentId: dev.id,
        provider: "p",
        sealedCredentials: "x",
      });
      ids.push(row.id);
      await setConnectionTags(store.db, row.id, i < 3 ? ["a", "b"] : ["a"]);
    }
    await createConnection(store.db, { environmentId: prod.id, provider: "p", sealedCredentials: "x" });
    await store.db.updateTable("connections").set({ created_at: "2025-01-01T00:00:00.000Z" }).execute();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listConnectionsIn(store.db, dev.id, { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((row) => row.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(ids));
    const both = await listConnectionsIn(store.db, dev.id, { limit: 50, tags: ["a", "b", "b"] });
    expect(both.items.map((row) => row.id).sort()).toEqual(ids.slice(0, 3).sort());
  });

  it("lists events of one environment, newest first, by type", async () => {
    const dev = await ensureEnvironment(store.db, "dev");
    const prod = await ensureEnvironment(store.db, "prod");
    await appendEvent(store.db, { environmentId: dev.id, type: "connection.created", data: { n: 1 } });
    await appendEvent(store.db, { environmentId: prod.id, type: "connection.created", data: { n: 2 } });
    await appendEvent(store.db, { environmentId: dev.id, type: "connection.deleted", data: { n: 3 } });
    const page = await listEvents(store.db, dev.id, { limit: 10 });
    expect(page.items.map((event) => JSON.parse(event.data).n).sort()).toEqual([1, 3]);
    const created = await listEvents(store.db, dev.id, { limit: 10, type: "connection.created" });
    expect(created.items).toHaveLength(1);
  });
});
