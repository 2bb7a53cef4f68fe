/**
 * Per provider account, at most N runs at once across every worker. A provider limits an account (a
 * HubSpot portal), not a connection, so the key is the account's budget key (`providerAccountKey`).
 *
 * On Postgres a slot is a session-level advisory lock, `pg_try_advisory_lock(hash of the key, slot)`, held
 * on a connection of its own for the run's length: no table, nothing to clean up, and a worker that dies
 * loses its connection and so its slots at once (on a host that vanishes, when Postgres's TCP keepalive
 * gives up on the connection). In one process the slots are a count in memory.
 */
import pg from "pg";

/** A slot held; give it back after the run. */
export interface AccountSlot {
  release(): Promise<void>;
}

export interface AccountSlots {
  /** Takes one of the account's `limit` slots, or null when all are taken (try again later). */
  take(account: string, limit: number): Promise<AccountSlot | null>;
  close(): Promise<void>;
}

export function createInProcessAccountSlots(): AccountSlots {
  const held = new Map<string, number>();
  return {
    async take(account, limit) {
      const count = held.get(account) ?? 0;
      if (count >= limit) return null;
      held.set(account, count + 1);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          held.set(account, (held.get(account) ?? 1) - 1);
        },
      };
    },
    async close() {},
  };
}

/** Slots as advisory locks on the Postgres of `connectionString`; `max` bounds the connections held. */
export function createPostgresAccountSlots(connectionString: string, max = 10): AccountSlots {
  const pool = new pg.Pool({ connectionString, max });
  // A connection dropped by the server surfaces here; its slots are gone with it, which is what we want.
  pool.on("error", () => undefined);
  /** Connections holding a slot: closing ends them, which frees their slots. */
  const holding = new Set<pg.PoolClient>();
  return {
    async take(account, limit) {
      const client = await pool.connect();
      if (client.listenerCount("error") === 0) client.on("error", () => undefined);
      try {
        for (let slot = 0; slot < limit; slot++) {
          const { rows } = await client.query<{ taken: boolean }>(
            "SELECT pg_try_advisory_lock(hashtext($1), $2) AS taken",
            [`switchyard:account-slot:${account}`, slot],
          );
          if (!rows[0]?.taken) continue;
          holding.add(client);
          let released = false;
          return {
            async release() {
              if (released || !holding.delete(client)) return;
              released = true;
              try {
                await client.query("SELECT pg_advisory_unlock(hashtext($1), $2)", [
                  `switchyard:account-slot:${account}`,
                  slot,
                ]);
                client.release();
              } catch (error) {
                // Unsure whether the lock is gone: drop the connection, which frees it.
                client.release(error instanceof Error ? error : true);
              }
            },
          };
        }
      } catch (error) {
        client.release(true);
        throw error;
      }
      client.release();
      return null;
    },
    async close() {
      for (const client of holding) client.release(true);
      holding.clear();
      await pool.end();
    },
  };
}
