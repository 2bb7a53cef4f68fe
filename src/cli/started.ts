/**
 * What a long-running command (`switchyard server`, `switchyard worker`) has started, stopped in the reverse
 * order: on a clean stop, and also when starting fails halfway. A worker whose fifth job queue could not
 * open ("too many clients" from Postgres) must not keep its first four taking jobs, and must not stay alive
 * after printing its error: its open queues would hold the process, deaf to SIGTERM, for good.
 */
import { describeError } from "../core/index.ts";

export class Started {
  private readonly stops: { what: string; stop: () => Promise<unknown> }[] = [];

  constructor(private readonly onError: (what: string, error: unknown) => void = reportStopError) {}

  /** Remembers how to stop something just started. */
  add(what: string, stop: () => Promise<unknown>): void {
    this.stops.push({ what, stop });
  }

  /**
   * Starts a loop that runs until its signal aborts (a job kind's handler, a dispatcher); stopping aborts it
   * and waits for it. Its failure is reported, not left as an unhandled rejection.
   */
  loop(what: string, run: (signal: AbortSignal) => Promise<unknown>): void {
    const abort = new AbortController();
    const done = run(abort.signal).catch((error: unknown) => this.onError(what, error));
    this.add(what, async () => {
      abort.abort();
      await done;
    });
  }

  /** Runs the start-up; if it throws, stops what it had started, then throws. */
  async starting<T>(startUp: () => Promise<T>): Promise<T> {
    try {
      return await startUp();
    } catch (error) {
      await this.stopAll();
      throw error;
    }
  }

  /** Stops everything, last started first; one failing to stop does not keep the rest running. */
  async stopAll(): Promise<void> {
    for (let next = this.stops.pop(); next; next = this.stops.pop()) {
      try {
        await next.stop();
      } catch (error) {
        this.onError(next.what, error);
      }
    }
  }
}

function reportStopError(what: string, error: unknown): void {
  process.stderr.write(`${what}: ${describeError(error).message}\n`);
}
