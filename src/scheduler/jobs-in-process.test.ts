import { describe, expect, it } from "vitest";
import type { JobContext } from "./jobs.ts";
import { createInProcessJobQueue } from "./jobs-in-process.ts";

/** A promise with its resolve, for holding a handler until the test lets it go. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("the in-process job queue", () => {
  it("keeps one waiting job per job key, with the latest payload", async () => {
    const jobs = createInProcessJobQueue();
    const seen: unknown[] = [];
    for (const n of [1, 2, 3]) await jobs.enqueue("count", { n }, { jobKey: "k" });
    await jobs.enqueue("count", { n: 4 }, { jobKey: "other" });
    const done = gate();
    await jobs.work(
      {
        count: async (payload) => {
          seen.push(payload);
          if (seen.length === 2) done.open();
        },
      },
      { concurrency: 1, onError: (error) => expect.fail(String(error)) },
    );
    await done.opened;
    await jobs.stop();
    expect(seen).toEqual([{ n: 3 }, { n: 4 }]);
  });

  it("runs at most `concurrency` jobs at once, and a keyed job enqueued while its namesake runs waits behind it", async () => {
    const jobs = createInProcessJobQueue();
    let running = 0;
    let most = 0;
    const release = gate();
    const finished: number[] = [];
    await jobs.work(
      {
        slow: async (payload) => {
          running += 1;
          most = Math.max(most, running);
          await release.opened;
          running -= 1;
          finished.push((payload as { n: number }).n);
        },
      },
      { concurrency: 2, onError: (error) => expect.fail(String(error)) },
    );
    await jobs.enqueue("slow", { n: 1 }, { jobKey: "a" });
    await jobs.enqueue("slow", { n: 2 }, { jobKey: "b" });
    await jobs.enqueue("slow", { n: 3 }, { jobKey: "a" });
    expect(running).toBe(2);
    release.open();
    while (finished.length < 3) await new Promise((resolve) => setImmediate(resolve));
    await jobs.stop();
    expect(most).toBe(2);
    expect(finished.sort()).toEqual([1, 2, 3]);
  });

  it("retries a failed job until maxAttempts, reporting each failure", async () => {
    let clock = 0;
    const jobs = createInProcessJobQueue({ now: () => clock });
    const attempts: number[] = [];
    const errors: unknown[] = [];
    await jobs.work(
      {
        flaky: async (_payload, context: JobContext) => {
          attempts.push(context.attempt);
          throw new Error(`attempt ${context.attempt}`);
        },
      },
      { concurrency: 1, onError: (error) => errors.push(error) },
    );
    await jobs.enqueue("flaky", {}, { maxAttempts: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    // The retry waits for its backoff: move the clock past it and wake the queue with another job.
    clock = 60_000;
    await jobs.enqueue("flaky", {}, { maxAttempts: 1 });
    while (errors.length < 3) await new Promise((resolve) => setImmediate(resolve));
    await jobs.stop();
    expect(attempts.sort()).toEqual([1, 1, 2]);
    expect(errors.map((error) => (error as Error).message).sort()).toEqual([
      "attempt 1",
      "attempt 1",
      "attempt 2",
    ]);
  });

  it("stop() aborts running handlers' signals and waits for them", async () => {
    const jobs = createInProcessJobQueue();
    const started = gate();
    let sawAbort = false;
    await jobs.work(
      {
        long: async (_payload, { signal }) => {
          started.open();
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
          sawAbort = true;
        },
      },
      { concurrency: 1, onError: (error) => expect.fail(String(error)) },
    );
    await jobs.enqueue("long", {});
    await started.opened;
    await jobs.stop();
    expect(sawAbort).toBe(true);
  });
});
