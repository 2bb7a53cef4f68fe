/**
 * Processes started together on a new database (`switchyard server` and two workers, as docs/scale-out.md's
 * example starts them) all open the job queue at once, and so all migrate graphile-worker's schema at once.
 * Each must open: before, the losers of the race failed with "duplicate key value violates unique constraint
 * pg_namespace_nspname_index" (the example's server died so on a busy machine, and the example hung).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresAvailable } from "../../test/helpers/postgres.ts";
import { createGraphileJobQueue } from "./jobs-graphile.ts";

const available = await postgresAvailable();

describe.skipIf(!available)("opening the graphile queue on a new database", () => {
  const databases: { url: string; drop: () => Promise<void> }[] = [];
  beforeAll(async () => {
    for (let n = 0; n < 3; n++) databases.push(await createTestDatabase());
  }, 60_000);
  afterAll(async () => {
    for (const database of databases) await database.drop();
  }, 60_000);

  it("succeeds for every opener at once, each with connections of its own", async () => {
    // Several new databases, so that a lucky interleaving on one does not hide the race.
    for (const database of databases) {
      const opened = await Promise.allSettled(
        Array.from({ length: 4 }, () => createGraphileJobQueue({ connectionString: database.url })),
      );
      const failures = opened.flatMap((result) =>
        result.status === "rejected" ? [String(result.reason)] : [],
      );
      for (const result of opened) if (result.status === "fulfilled") await result.value.stop();
      expect(failures).toEqual([]);
    }
  }, 60_000);
});
