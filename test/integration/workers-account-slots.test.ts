/**
 * Per-provider-account run slots on the real Postgres: two slot sets (as two worker processes have, each
 * its own connections) never hold more than the limit of one account together, and a worker whose
 * connections end (a crash) frees its slots at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresAccountSlots } from "../../src/scheduler/index.ts";
import { createTestDatabase, postgresAvailable } from "../helpers/postgres.ts";

const available = await postgresAvailable();

describe.skipIf(!available)("account slots on Postgres", () => {
  let database: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("two workers together hold at most the limit of one account; other accounts are apart", async () => {
    const a = createPostgresAccountSlots(database.url);
    const b = createPostgresAccountSlots(database.url);
    try {
      const first = await a.take("hubspot:account:1", 2);
      const second = await b.take("hubspot:account:1", 2);
      expect([first, second].map(Boolean)).toEqual([true, true]);
      expect(await a.take("hubspot:account:1", 2)).toBeNull();
      expect(await b.take("hubspot:account:1", 2)).toBeNull();
      // Another account has slots of its own.
      const other = await b.take("hubspot:account:2", 2);
      expect(other).not.toBeNull();
      await first!.release();
      const again = await b.take("hubspot:account:1", 2);
      expect(again).not.toBeNull();
      expect(await a.take("hubspot:account:1", 2)).toBeNull();
      for (const slot of [second, other, again]) await slot!.release();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a worker whose connections end (crash) frees its slots as soon as the server ends its sessions", async () => {
    const dying = createPostgresAccountSlots(database.url);
    const survivor = createPostgresAccountSlots(database.url);
    try {
      expect(await dying.take("pipedrive:account:x", 1)).not.toBeNull();
      expect(await survivor.take("pipedrive:account:x", 1)).toBeNull();
      // Its pool ends without giving the slot back, as the process's connections do when it dies.
      await dying.close();
      // The server frees a session's advisory locks as its backend exits, a moment after the client hung up.
      let taken = await survivor.take("pipedrive:account:x", 1);
      for (let attempt = 0; taken === null && attempt < 50; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        taken = await survivor.take("pipedrive:account:x", 1);
      }
      expect(taken).not.toBeNull();
      await taken!.release();
    } finally {
      await survivor.close();
    }
  });
});
