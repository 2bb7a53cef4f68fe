/**
 * Changes over time to a seeded table: a batch of updates, creations and archives (deletes), each at a later
 * time on the emulator's logical clock. Which records change, and how, is a pure function of the seed and
 * the batch number, so the same batches replay the same data.
 */
import { hash32, keyOf } from "./random.ts";
import type { SeededTable } from "./table.ts";

/** The emulator's logical clock: changes happen on it, never at wall-clock time, and it only moves forward. */
export class LogicalClock {
  private ms: number;

  constructor(readonly start: number) {
    this.ms = start;
  }

  /** The time of the latest change (epoch ms). */
  get now(): number {
    return this.ms;
  }

  /** Advances the clock by `stepMs` (at least 1) and returns the new time. */
  tick(stepMs = 1000): number {
    this.ms += Math.max(1, stepMs);
    return this.ms;
  }

  /** Back to the start. */
  reset(): void {
    this.ms = this.start;
  }
}

export interface ChangeCounts {
  updates?: number;
  creates?: number;
  archives?: number;
  /**
   * Spacing of the changes' modification times in ms (default 1000). 0 gives every change in the batch the
   * same timestamp, which is how tests provoke many records sharing one modification time.
   */
  stepMs?: number;
}

export interface ChangeContext<Fields> {
  seed: number;
  /** The batch's number (1, 2, …); with the seed, it decides which records change. */
  batch: number;
  /** Advances the logical clock by `stepMs` (at least 1) and returns the new time (`LogicalClock.tick`). */
  tick(stepMs: number): number;
  /** The fields an update writes; `version` counts the record's updates, this one included. */
  updatedFields(id: number, version: number, at: number): Partial<Fields>;
  /** Fields laid over a record the batch creates (generated like a seeded one); undefined: none. */
  createdFields?(id: number, at: number): Partial<Fields> | undefined;
}

export interface ChangeResult {
  updated: number[];
  created: number[];
  archived: number[];
}

/** Picks live records for one batch, never the same record twice in the batch. */
export class ChangePicker<Fields extends object> {
  private readonly chosen = new Set<number>();

  constructor(
    private readonly table: SeededTable<Fields>,
    private readonly seed: number,
    private readonly batch: number,
  ) {}

  /** Up to `count` live records not picked yet in this batch; `purpose` keeps each kind of change apart. */
  pick(count: number, purpose: string): number[] {
    const { table } = this;
    const picked: number[] = [];
    const wanted = Math.min(count, Math.max(table.liveCount - this.chosen.size, 0));
    const salt = keyOf(purpose);
    for (let attempt = 0; picked.length < wanted && attempt < wanted * 50 + 1000; attempt++) {
      const id = table.idBase + (hash32(this.seed, this.batch, salt, attempt) % table.totalCount);
      if (this.chosen.has(id) || !table.isLive(id)) continue;
      this.chosen.add(id);
      picked.push(id);
    }
    return picked;
  }
}

/** Applies updates, then creations, then archives, each at a later time (see `stepMs`). */
export function applyChanges<Fields extends object>(
  table: SeededTable<Fields>,
  counts: ChangeCounts,
  ctx: ChangeContext<Fields>,
  picker = new ChangePicker(table, ctx.seed, ctx.batch),
): ChangeResult {
  const stepMs = counts.stepMs ?? 1000;
  const sharedAt = stepMs === 0 ? ctx.tick(1) : undefined;
  const nextTime = () => sharedAt ?? ctx.tick(stepMs);
  const updated = picker.pick(counts.updates ?? 0, "update").map((id) => {
    const at = nextTime();
    table.update(id, ctx.updatedFields(id, table.versionOf(id) + 1, at), at);
    return id;
  });
  const created = Array.from({ length: counts.creates ?? 0 }, () => {
    const at = nextTime();
    const id = table.create(at);
    const extra = ctx.createdFields?.(id, at);
    if (extra) table.update(id, extra, at);
    return id;
  });
  const archived = picker.pick(counts.archives ?? 0, "archive").map((id) => {
    table.archive(id, nextTime());
    return id;
  });
  return { updated, created, archived };
}
