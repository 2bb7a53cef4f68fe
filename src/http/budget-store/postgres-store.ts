/**
 * The Postgres backend: one `shared_state` row per key (migration 0018). An update is one transaction that
 * locks the row with an upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, which also creates it), steps
 * the state and writes it back: a concurrent update of the key waits for the row lock, so none is lost.
 */
import { type Kysely, sql } from "kysely";
import { type BudgetStore, parseState, type StateStep, withLease } from "./budget-store.ts";
import { KeyedQueue } from "./keyed-queue.ts";

/** Expired rows are deleted once every this many updates. */
const SWEEP_EVERY = 2_000;

// biome-ignore lint/suspicious/noExplicitAny: the table is not part of the typed schema's queries here.
type AnyDb = Kysely<any>;

export class PostgresBudgetStore implements BudgetStore {
  readonly kind = "postgres";
  private readonly queue = new KeyedQueue();
  private updates = 0;

  constructor(private readonly db: AnyDb) {}

  update<S, R>(key: string, ttlMs: number, step: StateStep<S, R>): Promise<R> {
    if (++this.updates % SWEEP_EVERY === 0) void this.sweep();
    return this.queue.run(key, () =>
      this.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ state: string; expires_at: string; now: number }>`
          INSERT INTO shared_state (key, state, expires_at) VALUES (${key}, 'null', 0)
          ON CONFLICT (key) DO UPDATE SET expires_at = shared_state.expires_at
          RETURNING state, expires_at, (extract(epoch from clock_timestamp()) * 1000)::float8 AS now`.execute(
          trx,
        );
        const row = rows[0]!;
        const now = Number(row.now);
        const current = Number(row.expires_at) > now ? parseState<S>(row.state) : undefined;
        const { state, result } = step(current, now);
        if (state !== undefined) {
          await sql`UPDATE shared_state SET state = ${JSON.stringify(state)}, expires_at = ${Math.ceil(now + ttlMs)}
            WHERE key = ${key}`.execute(trx);
        }
        return result;
      }),
    );
  }

  withLock<T>(key: string, ttlMs: number, task: () => Promise<T>): Promise<T> {
    return withLease(this, `lock:${key}`, ttlMs, task);
  }

  /** The store's database belongs to its opener: nothing to close here. */
  async close(): Promise<void> {}

  private async sweep(): Promise<void> {
    await sql`DELETE FROM shared_state WHERE expires_at < (extract(epoch from clock_timestamp()) * 1000)`
      .execute(this.db)
      .catch(() => undefined);
  }
}
