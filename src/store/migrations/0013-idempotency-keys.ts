/**
 * Idempotency keys: the answer a write gave (an action, a unified POST or PATCH), kept under the caller's
 * `Idempotency-Key` so that a retry gets the same answer instead of writing again. Keys are scoped per
 * environment; a row also holds a hash of the request it answered (method, path, linked account and body),
 * so a key reused for another request is refused, and when it expires.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const idempotencyKeys: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("idempotency_keys")
      .addColumn("environment_id", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      // sha256 (hex) of the request the key was first used for.
      .addColumn("request_hash", "text", (c) => c.notNull())
      // Null while the first request is still being answered.
      .addColumn("response_status", "integer")
      // The answer's JSON body.
      .addColumn("response_body", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("idempotency_keys_pk", ["environment_id", "key"])
      .execute();
    await db.schema
      .createIndex("idempotency_keys_expiry")
      .on("idempotency_keys")
      .column("expires_at")
      .execute();
  },
};
