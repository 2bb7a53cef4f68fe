/**
 * The Postgres backend: one `shared_state` row per key (migration 0018). A change steps the key's state and
 * writes it back with a compare-and-set: an `UPDATE … WHERE` the row is still as it was (an `INSERT … ON
 * CONFLICT DO NOTHING` when there was none). If another process changed the key meanwhile, nothing is
 * written, and the change reads the row and steps again, so none is lost. Updates of one process are queued
 * per key first, so only other processes can conflict, and those queued while a change is written go
 * together into the next one.
 *
 * One round trip per change in the usual case: the process remembers the row as it last read or wrote it,
 * steps that at the database's clock (estimated from the last statement that read it), and sends the
 * compare-and-set at once; only when the row has moved on (another process wrote it) does the change read
 * it first. Every HTTP request of a sync makes a change (its budget's booking, with the previous answers'
 * readings folded in: ../rate-limit-budget.ts), so the round trips here are on a sync's read path: reading
 * before each write, as before, cost a 200,000-contact sync on Postgres about a quarter of its time
 * (docs/benchmarks.md, "sync-throughput on Postgres").
 */
import { type Kysely, sql } from "kysely";
import { type BudgetStore, parseState, type StateStep, withLease } from "./budget-store.ts";

/**
 * Rate-limit bookkeeping commits without waiting for its WAL record to reach the disk: synchronous_commit is
 * turned off for the writing statement's own transaction (set_config's third argument: local to it, and
 * still in force when it commits). Every HTTP request of a sync makes two changes, and a disk flush for each
 * was most of the wait on a Postgres worker's read path (a 50,000-contact sync on a busy machine took 25-27 s
 * with every commit of its database asynchronous, 33-43 s without). A database crash can lose the last fraction of a second of budget changes
 * (a budget a few requests too generous, once), never records, checkpoints or runs. Locks (`withLock`: the
 * single-flight token refresh) keep durable commits.
 */
const ASYNC_COMMIT = sql` AND set_config('synchronous_commit', 'off', true) IS NOT NULL`;
const LOCK_PREFIX = "lock:";

/** Expired rows are deleted once every this many updates. */
const SWEEP_EVERY = 2_000;

// biome-ignore lint/suspicious/noExplicitAny: the table is not part of the typed schema's queries here.
type AnyDb = Kysely<any>;

/** The key's row as read (state and expires_at null: no row) and the database's clock in epoch ms. */
interface Read {
  state: string | null;
  expires_at: string | null;
  now: number;
}

/** An update waiting for its key's next change. */
interface Waiting {
  ttlMs: number;
  step: StateStep<unknown, unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

export class PostgresBudgetStore implements BudgetStore {
  readonly kind = "postgres";
  /** Per key, the updates that arrived while its change was being written, in call order. */
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly changing = new Set<string>();
  private updates = 0;
  /**
   * Per key, the row as this process last read or wrote it: the next change steps it and writes without
   * reading first (a compare-and-set against it, so a stale row costs a read, never a lost change). Emptied
   * at each sweep, so it holds at most the keys of SWEEP_EVERY updates however many keys there are.
   */
  private readonly known = new Map<string, Read>();
  /** The database's clock minus this process's, in ms, as of the last read. */
  private clockOffsetMs = 0;

  constructor(private readonly db: AnyDb) {}

  /**
   * Updates of one key in this process are applied one after the other, in call order. Those that arrive
   * while a change of the key is being written go together into the next one: one compare-and-set for all
   * of them.
   */
  update<S, R>(key: string, ttlMs: number, step: StateStep<S, R>): Promise<R> {
    if (++this.updates % SWEEP_EVERY === 0) void this.sweep();
    return new Promise<R>((resolve, reject) => {
      const queued = this.waiting.get(key) ?? [];
      queued.push({ ttlMs, step: step as StateStep<unknown, unknown>, resolve: resolve as never, reject });
      this.waiting.set(key, queued);
      if (!this.changing.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.changing.add(key);
    try {
      for (let batch = this.waiting.get(key); batch; batch = this.waiting.get(key)) {
        this.waiting.delete(key);
        try {
          const results = await this.change(key, batch);
          for (const [n, update] of batch.entries()) update.resolve(results[n]);
        } catch (error) {
          for (const update of batch) update.reject(error);
        }
      }
    } finally {
      // No await since the last look at `waiting`: an update arriving now starts its own drain.
      this.changing.delete(key);
    }
  }

  /**
   * Applies the steps in order to the key's state and writes the result with one compare-and-set, against
   * the row as this process last knew it, or as read now when it knew none or that guess failed. A batch
   * that writes nothing is answered only from a row read now: a remembered one may be stale.
   */
  private async change(key: string, batch: Waiting[]): Promise<unknown[]> {
    let row = this.known.get(key);
    let guessed = row !== undefined;
    for (;;) {
      if (!row) {
        row = await this.read(key);
        guessed = false;
      }
      const now = guessed ? Date.now() + this.clockOffsetMs : row.now;
      let current = Number(row.expires_at ?? 0) > now ? parseState<unknown>(row.state) : undefined;
      // The state is dropped ttlMs after its last change: the last step that changed it sets the expiry.
      let expiresAt: number | undefined;
      const results = batch.map(({ step, ttlMs }) => {
        const { state, result } = step(current, now);
        if (state !== undefined) {
          current = state;
          expiresAt = Math.ceil(now + ttlMs);
        }
        return result;
      });
      if (expiresAt === undefined) {
        if (!guessed) return results;
        row = undefined;
        continue;
      }
      const value = JSON.stringify(current);
      if (await this.compareAndSet(key, row, value, expiresAt)) {
        this.known.set(key, { state: value, expires_at: String(expiresAt), now });
        return results;
      }
      this.known.delete(key);
      row = undefined;
    }
  }

  /** The key's row and the database's clock, which also corrects this process's estimate of that clock. */
  private async read(key: string): Promise<Read> {
    const sentAt = Date.now();
    const { rows } = await sql<Read>`
      SELECT s.state, s.expires_at, (extract(epoch from clock_timestamp()) * 1000)::float8 AS now
      FROM (SELECT 1) AS one LEFT JOIN shared_state AS s ON s.key = ${key}`.execute(this.db);
    const read = { ...rows[0]!, now: Number(rows[0]!.now) };
    this.clockOffsetMs = read.now - (sentAt + Date.now()) / 2;
    return read;
  }

  /** Writes `value` if the key's row is still `row` (absent: if there is still none); true if it was written. */
  private async compareAndSet(key: string, row: Read, value: string, expiresAt: number): Promise<boolean> {
    const relaxed = key.startsWith(LOCK_PREFIX) ? sql`` : ASYNC_COMMIT;
    const written =
      row.state === null
        ? await sql`INSERT INTO shared_state (key, state, expires_at)
            SELECT ${key}::text, ${value}::text, ${expiresAt}::bigint WHERE true ${relaxed}
            ON CONFLICT (key) DO NOTHING`.execute(this.db)
        : await sql`UPDATE shared_state SET state = ${value}, expires_at = ${expiresAt}
            WHERE key = ${key} AND state = ${row.state} AND expires_at = ${row.expires_at} ${relaxed}`.execute(
            this.db,
          );
    return Number(written.numAffectedRows ?? 0) === 1;
  }

  withLock<T>(key: string, ttlMs: number, task: () => Promise<T>): Promise<T> {
    return withLease(this, `${LOCK_PREFIX}${key}`, ttlMs, task);
  }

  /** The store's database belongs to its opener: nothing to close here. */
  async close(): Promise<void> {}

  private async sweep(): Promise<void> {
    this.known.clear();
    await sql`DELETE FROM shared_state WHERE expires_at < (extract(epoch from clock_timestamp()) * 1000)`
      .execute(this.db)
      .catch(() => undefined);
  }
}
