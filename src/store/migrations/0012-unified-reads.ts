/**
 * The unified API's storage:
 * - `connections.account_token_hash`: sha256 of the connection's account token (Merge's `X-Account-Token`);
 *   the token itself is never stored.
 * - `unified_objects`: the Common Model objects mapped from the records cache, one row per (connection, model,
 *   remote id), with the columns the list endpoints filter and page on, so a page is an index range and never
 *   a scan of the cache. It is a projection: rebuilt from the cache's raw payloads whenever they change.
 * - `unified_object_keys`: values objects are matched by exactly (email addresses, phone numbers), indexed.
 * - `unified_marks`: per connection and stream, the cache change time the projection has caught up to, and the
 *   mapper version it was built with (a new version rebuilds it); `records_by_change` finds what changed after it.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const unifiedReads: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable("connections").addColumn("account_token_hash", "text").execute();
    await db.schema
      .createIndex("connections_account_token_hash")
      .unique()
      .on("connections")
      .column("account_token_hash")
      .execute();

    await db.schema
      .createTable("unified_objects")
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("remote_id", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("modified_at", "text", (c) => c.notNull())
      .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("account_id", "text")
      .addColumn("owner_id", "text")
      .addColumn("stage_id", "text")
      .addColumn("status", "text")
      /** JSON text of the mapped model fields (without bookkeeping fields and remote data). */
      .addColumn("fields", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("unified_objects_pk", ["connection_id", "model", "remote_id"])
      .execute();
    await db.schema.createIndex("unified_objects_id").unique().on("unified_objects").column("id").execute();
    // Pages in id order, and the filters lists take, each as an index range of one connection's model.
    const indexes: Record<string, string[]> = {
      unified_objects_page: ["connection_id", "model", "id"],
      unified_objects_modified: ["connection_id", "model", "modified_at", "id"],
      unified_objects_created: ["connection_id", "model", "created_at", "id"],
      unified_objects_account: ["connection_id", "model", "account_id", "id"],
      unified_objects_owner: ["connection_id", "model", "owner_id", "id"],
      unified_objects_stage: ["connection_id", "model", "stage_id", "id"],
    };
    for (const [name, columns] of Object.entries(indexes)) {
      await db.schema.createIndex(name).on("unified_objects").columns(columns).execute();
    }

    // Values an object is found by exactly (a contact's lower-cased email addresses and phone numbers).
    await db.schema
      .createTable("unified_object_keys")
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("unified_object_keys_pk", ["connection_id", "model", "kind", "value", "id"])
      .execute();
    await db.schema
      .createIndex("unified_object_keys_by_object")
      .on("unified_object_keys")
      .columns(["connection_id", "id"])
      .execute();

    // The projection catches up on what changed in the cache since its mark: a range of this index.
    await db.schema
      .createIndex("records_by_change")
      .on("records")
      .columns(["connection_id", "stream", "updated_at", "pk"])
      .execute();

    await db.schema
      .createTable("unified_marks")
      .addColumn("connection_id", "text", (c) => c.notNull())
      .addColumn("stream", "text", (c) => c.notNull())
      .addColumn("synced_through", "text", (c) => c.notNull())
      .addColumn("mapper_version", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("unified_marks_pk", ["connection_id", "stream"])
      .execute();
  },
};
