import { describe, expect, it } from "vitest";
import type { Run } from "../store/index.ts";
import { failedOnLostDatabase } from "./database-outage.ts";
import type { SyncClaim } from "./queue.ts";
import { runClaimed } from "./scheduler.ts";

const failed = (code: string, message: string) => ({ status: "failed" as const, error: { code, message } });

describe("a run that failed because the database went away", () => {
  it("is told apart from a run that failed because of its sync", () => {
    expect(
      failedOnLostDatabase(failed("internal", "terminating connection due to administrator command")),
    ).toBe(true);
    expect(failedOnLostDatabase(failed("internal", "Connection terminated unexpectedly"))).toBe(true);
    expect(
      failedOnLostDatabase(
        failed(
          "destination_failed",
          'Destination "records-cache" failed: Connection terminated unexpectedly',
        ),
      ),
    ).toBe(true);
    expect(
      failedOnLostDatabase(failed("destination_failed", 'Destination "warehouse" failed: disk full')),
    ).toBe(false);
    expect(failedOnLostDatabase(failed("internal", "the database system is shutting down"))).toBe(true);
    expect(failedOnLostDatabase(failed("internal", "connect ECONNREFUSED 127.0.0.1:5432"))).toBe(true);
    // The server at max_connections refusing a new session (seen in the full-size crash run).
    expect(
      failedOnLostDatabase(
        failed(
          "destination_failed",
          'Destination "postgres" failed: connecting to the warehouse at 127.0.0.1:5432/db failed: sorry, too many clients already',
        ),
      ),
    ).toBe(true);
    // A provider that refuses connections is a typed provider error, not a lost database.
    expect(failedOnLostDatabase(failed("provider_unavailable", "connect ECONNREFUSED 127.0.0.1:4110"))).toBe(
      false,
    );
    expect(failedOnLostDatabase(failed("internal", "Cannot read properties of undefined"))).toBe(false);
    expect(failedOnLostDatabase({ status: "succeeded", error: null })).toBe(false);
    expect(failedOnLostDatabase(undefined)).toBe(false);
  });

  it("is asked for again when its lease is given back, so it resumes; a sync's own failure is not", async () => {
    const claim = { syncId: "sync_1", connectionId: "conn_1" } as SyncClaim;
    const releaseOf = async (error: { code: string; message: string }) => {
      const released: { cutOff?: boolean }[] = [];
      const queue = {
        leaseMs: 60_000,
        renew: async () => true,
        release: async (_claim: SyncClaim, _runId: string | null, outcome?: { cutOff?: boolean }) => {
          released.push(outcome ?? {});
        },
      };
      const run = { id: "run_1", ...failed(error.code, error.message) } as Run;
      await runClaimed(queue, claim, async () => run, new AbortController(), {
        cutOff: () => false,
        onError: () => undefined,
      });
      return released;
    };
    expect(
      await releaseOf({ code: "internal", message: "terminating connection due to administrator command" }),
    ).toEqual([{ cutOff: true }]);
    expect(await releaseOf({ code: "record_invalid", message: "contacts: email is not a string" })).toEqual([
      { cutOff: false },
    ]);
  });

  it("is asked for again when its runner threw, having failed to record the run at all", async () => {
    // The full-size crash run: the server refused the worker's new sessions (too many clients) after the run
    // was created, so its failure could not be written; the run stayed `running` until the stale-run reaper
    // failed it a minute later, and nothing asked for the sync again before its next scheduled time.
    const claim = { syncId: "sync_1", connectionId: "conn_1" } as SyncClaim;
    const released: { runId: string | null; cutOff?: boolean }[] = [];
    const errors: unknown[] = [];
    const queue = {
      leaseMs: 60_000,
      renew: async () => true,
      release: async (_claim: SyncClaim, runId: string | null, outcome?: { cutOff?: boolean }) => {
        released.push({ runId, ...outcome });
      },
    };
    const refused = new Error("sorry, too many clients already");
    const run = await runClaimed(
      queue,
      claim,
      async () => {
        throw refused;
      },
      new AbortController(),
      { cutOff: () => false, onError: (error) => errors.push(error) },
    );
    expect(run).toBeUndefined();
    expect(errors).toEqual([refused]);
    expect(released).toEqual([{ runId: null, cutOff: true }]);
  });
});
