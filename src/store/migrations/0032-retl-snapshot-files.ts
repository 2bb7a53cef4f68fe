/**
 * Reverse ETL keeps a warehouse model's snapshot in a DuckDB file per sync (`retl-snapshots/<sync id>.duckdb`
 * beside the warehouse, src/app/reverse-etl/snapshot-file.ts), so a run diffs the model against it inside
 * the warehouse. `retl_snapshots` keeps what the runs wrote since that file was last brought up to date:
 * an entry per row written (its hash), or removed (a null hash: the row left the snapshot), each saved in the
 * same transaction as the row's result, as before. So `hash` becomes nullable.
 *
 * Existing entries stay as they are: they are such entries, folded into the sync's file by its next run,
 * which compares the model against them meanwhile. No snapshot is lost or invalidated. Embedded syncs
 * (src/app/sources/) keep their whole snapshot here, as before, and never write a null.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

/** SQLite cannot drop a NOT NULL in place: the table is rebuilt under a new name, then renamed back. */
async function rebuild(db: AnyDb, hashNullable: boolean): Promise<void> {
  const name = hashNullable ? "retl_snapshot_entries" : "retl_snapshots_0020";
  await db.schema
    .createTable(name)
    .addColumn("sync_id", "text", (c) => c.notNull())
    .addColumn("pk", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => (hashNullable ? c : c.notNull()))
    .addPrimaryKeyConstraint(`${name}_pk`, ["sync_id", "pk"])
    .execute();
  const copy = db
    .withTables<{ retl_snapshots: { sync_id: string; pk: string; hash: string | null } }>()
    .selectFrom("retl_snapshots")
    .select(["sync_id", "pk", "hash"]);
  await db
    .withTables<Record<string, { sync_id: string; pk: string; hash: string | null }>>()
    .insertInto(name)
    .columns(["sync_id", "pk", "hash"])
    // Going back: a removal mark has no place in the old table. Code before 0032 reads no snapshot file, so
    // what the files hold looks added to it again: those rows are sent once more, matched through their links.
    .expression(hashNullable ? copy : copy.where("hash", "is not", null))
    .execute();
  await db.schema.dropTable("retl_snapshots").execute();
  await db.schema.alterTable(name).renameTo("retl_snapshots").execute();
}

export const retlSnapshotFiles: Migration = {
  async up(db: AnyDb) {
    await rebuild(db, true);
  },
  async down(db: AnyDb) {
    await rebuild(db, false);
  },
};
