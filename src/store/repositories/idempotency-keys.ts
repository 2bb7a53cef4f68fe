/**
 * Idempotency keys (migration 0013): the first request under a key claims it; its answer is stored on it; a
 * retry under the key finds that answer. Keys are per environment and expire.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.ts";

export interface IdempotencyClaim {
  environmentId: string;
  key: string;
  /** sha256 of the request (method, path, linked account, body). */
  requestHash: string;
  now: Date;
  /** How long the answer is kept. */
  ttlMs: number;
  /**
   * After how long an unanswered first request is taken to have died with its process (no answer will come),
   * so that a retry may run it again.
   */
  abandonedAfterMs: number;
}

/** What a key holds when a request comes with it. */
export type IdempotencyState =
  /** The key was free (or had expired): this request is the first and must store its answer. */
  | { kind: "claimed" }
  /** The key answered this same request before: answer the same. */
  | { kind: "replay"; status: number; body: unknown }
  /** The first request under the key is still being answered. */
  | { kind: "in_progress" }
  /** The key was used for another request. */
  | { kind: "mismatch" };

/** Claims the key for this request, or says what it already holds. An expired key is claimed anew. */
export async function claimIdempotencyKey(
  db: Kysely<Database>,
  claim: IdempotencyClaim,
): Promise<IdempotencyState> {
  const now = claim.now.toISOString();
  await db
    .deleteFrom("idempotency_keys")
    .where("environment_id", "=", claim.environmentId)
    .where("key", "=", claim.key)
    .where("expires_at", "<=", now)
    .execute();
  const inserted = await db
    .insertInto("idempotency_keys")
    .values({
      environment_id: claim.environmentId,
      key: claim.key,
      request_hash: claim.requestHash,
      response_status: null,
      response_body: null,
      created_at: now,
      expires_at: new Date(claim.now.getTime() + claim.ttlMs).toISOString(),
    })
    .onConflict((oc) => oc.columns(["environment_id", "key"]).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { kind: "claimed" };
  const row = await db
    .selectFrom("idempotency_keys")
    .select(["request_hash", "response_status", "response_body", "created_at"])
    .where("environment_id", "=", claim.environmentId)
    .where("key", "=", claim.key)
    .executeTakeFirst();
  // Deleted between the insert and the read (released by a failed first request): one more try.
  if (!row) return claimIdempotencyKey(db, claim);
  if (row.request_hash !== claim.requestHash) return { kind: "mismatch" };
  if (row.response_status === null || row.response_body === null) {
    const abandoned = Date.parse(row.created_at) <= claim.now.getTime() - claim.abandonedAfterMs;
    if (!abandoned) return { kind: "in_progress" };
    // Taken over by one retry only: the one whose update still finds the old claim.
    const taken = await db
      .updateTable("idempotency_keys")
      .set({ created_at: now })
      .where("environment_id", "=", claim.environmentId)
      .where("key", "=", claim.key)
      .where("created_at", "=", row.created_at)
      .where("response_status", "is", null)
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) > 0 ? { kind: "claimed" } : { kind: "in_progress" };
  }
  return { kind: "replay", status: Number(row.response_status), body: JSON.parse(row.response_body) };
}

/** Stores the answer the claiming request gave. */
export async function completeIdempotencyKey(
  db: Kysely<Database>,
  environmentId: string,
  key: string,
  response: { status: number; body: unknown },
): Promise<void> {
  await db
    .updateTable("idempotency_keys")
    .set({ response_status: response.status, response_body: JSON.stringify(response.body) })
    .where("environment_id", "=", environmentId)
    .where("key", "=", key)
    .execute();
}

/** Frees a key whose first request failed before writing, so that a retry runs it again. */
export async function releaseIdempotencyKey(
  db: Kysely<Database>,
  environmentId: string,
  key: string,
): Promise<void> {
  await db
    .deleteFrom("idempotency_keys")
    .where("environment_id", "=", environmentId)
    .where("key", "=", key)
    .where("response_status", "is", null)
    .execute();
}

/** Deletes every expired key; returns how many. */
export async function deleteExpiredIdempotencyKeys(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom("idempotency_keys")
    .where("expires_at", "<=", now.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
