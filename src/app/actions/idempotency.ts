/**
 * `Idempotency-Key` for writes: the first request under a key runs and its successful answer is stored; a
 * retry of the same request under the key gets that answer without running again (so nothing is written
 * twice); the key used for another request is refused. Keys are per environment and kept for 24 hours.
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { stringify } from "safe-stable-stringify";
import { SwitchyardError } from "../../core/index.ts";
import type { Database } from "../../store/index.ts";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  releaseIdempotencyKey,
} from "../../store/repositories/idempotency-keys.ts";

/** How long a key's answer is kept, as Stripe and Merge keep theirs. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An unanswered first request older than this died with its process (a write takes well under a minute). */
export const ABANDONED_AFTER_MS = 10 * 60 * 1000;

export interface IdempotentRequest {
  environmentId: string;
  /** The `Idempotency-Key` header; without one the request simply runs. */
  key: string | undefined;
  /** What makes two requests the same: method, path, linked account and body. */
  method: string;
  path: string;
  connectionId: string;
  body: unknown;
}

export interface StoredAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The header that tells a client its answer is a replay. */
export const REPLAY_HEADER = "idempotent-replayed";

/**
 * Runs `answer` once per key: a retry with the same key and request gets the stored answer (with
 * `Idempotent-Replayed: true`); the same key with another request is idempotency_key_reused; a retry while the
 * first is still running is a conflict. A failed or refused first request (an error, or a status of 400 or
 * more) stores nothing, so it can be retried with the same key.
 */
export async function answerIdempotently<A extends StoredAnswer>(
  db: Kysely<Database>,
  request: IdempotentRequest,
  answer: () => Promise<A>,
  now: () => Date = () => new Date(),
): Promise<A> {
  const { key, environmentId } = request;
  if (key === undefined) return answer();
  const at = now();
  // Expired keys go as new ones come (an index range on expires_at), so the table holds about a day of keys.
  await deleteExpiredIdempotencyKeys(db, at);
  const state = await claimIdempotencyKey(db, {
    environmentId,
    key,
    requestHash: requestHash(request),
    now: at,
    ttlMs: IDEMPOTENCY_TTL_MS,
    abandonedAfterMs: ABANDONED_AFTER_MS,
  });
  if (state.kind === "mismatch") {
    throw new SwitchyardError(
      "idempotency_key_reused",
      `The Idempotency-Key "${clip(key)}" was already used for a different request (another method, path, linked account or body).`,
      {
        hint: "Send a new key for a new request; reuse a key only to retry exactly the same request.",
      },
    );
  }
  if (state.kind === "in_progress") {
    throw new SwitchyardError(
      "conflict",
      `A request with the Idempotency-Key "${clip(key)}" is still running.`,
      {
        hint: "Wait for it to finish, then retry with the same key to get its answer.",
      },
    );
  }
  if (state.kind === "replay") {
    // The stored answer is one `answer` gave before, so it has its type.
    return { status: state.status, body: state.body, headers: { [REPLAY_HEADER]: "true" } } as unknown as A;
  }
  let result: A;
  try {
    result = await answer();
  } catch (error) {
    await releaseIdempotencyKey(db, environmentId, key);
    throw error;
  }
  if (result.status >= 400) await releaseIdempotencyKey(db, environmentId, key);
  else await completeIdempotencyKey(db, environmentId, key, { status: result.status, body: result.body });
  return result;
}

function requestHash(request: IdempotentRequest): string {
  const { method, path, connectionId, body } = request;
  return createHash("sha256")
    .update(stringify({ method, path, connectionId, body }) ?? "")
    .digest("hex");
}

function clip(key: string): string {
  return key.length > 60 ? `${key.slice(0, 60)}…` : key;
}
