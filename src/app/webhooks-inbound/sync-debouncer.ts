/**
 * Events that ask for a sync wait here, per connection, for `debounceMs` after the first one, so a burst
 * of changes becomes one incremental run of each affected sync. Their rows stay `syncing` until the run is
 * asked for, so a process killed meanwhile asks for it after restart (the processor re-queues them).
 */
import { SwitchyardError } from "../../core/index.ts";
import { settleEvent, syncsOfConnection } from "../../store/index.ts";
import type { PlatformDeps } from "../platform.ts";
import { triggerSync } from "../syncs/syncs.ts";

export type SyncDeps = Pick<PlatformDeps, "db" | "scheduler">;

interface Pending {
  streams: Set<string>;
  eventIds: Set<string>;
  timer: NodeJS.Timeout;
}

export class SyncDebouncer {
  private readonly pending = new Map<string, Pending>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: SyncDeps,
    private readonly debounceMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(connectionId: string, stream: string, eventId: string): void {
    let entry = this.pending.get(connectionId);
    if (!entry) {
      const timer = setTimeout(() => this.fire(connectionId), this.debounceMs);
      entry = { streams: new Set(), eventIds: new Set(), timer };
      this.pending.set(connectionId, entry);
    }
    entry.streams.add(stream);
    entry.eventIds.add(eventId);
  }

  has(eventId: string): boolean {
    for (const entry of this.pending.values()) if (entry.eventIds.has(eventId)) return true;
    return false;
  }

  /** Fires every waiting connection now (tests, shutdown) and waits for the runs to be asked for. */
  async flush(): Promise<void> {
    for (const [connectionId, entry] of this.pending) {
      clearTimeout(entry.timer);
      this.fire(connectionId);
    }
    await Promise.all([...this.inFlight]);
  }

  /** Drops what waits without asking for runs (the events stay `syncing` for the next start). */
  stop(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  private fire(connectionId: string): void {
    const entry = this.pending.get(connectionId);
    if (!entry) return;
    this.pending.delete(connectionId);
    const work = this.trigger(connectionId, entry)
      .catch(this.onError)
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async trigger(connectionId: string, entry: Pending): Promise<void> {
    const syncs = await syncsOfConnection(this.deps.db, connectionId);
    const covering = syncs.filter((sync) => sync.streams.some((stream) => entry.streams.has(stream)));
    let error: string | undefined;
    if (covering.length === 0) {
      error = `No sync of connection ${connectionId} covers ${[...entry.streams].join(", ")}; create one to apply these events.`;
    }
    for (const sync of covering) {
      try {
        await triggerSync(this.deps, sync, { fullRefresh: false });
      } catch (cause) {
        // A paused sync or connection: the event is kept with the reason, not retried forever.
        if (!(cause instanceof SwitchyardError) || cause.code !== "conflict") throw cause;
        error = cause.message;
      }
    }
    for (const id of entry.eventIds) {
      await settleEvent(this.deps.db, id, {
        status: error ? "failed" : "processed",
        connectionIds: [connectionId],
        ...(error ? { error } : {}),
      });
    }
  }
}
