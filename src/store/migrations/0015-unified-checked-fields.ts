/**
 * `unified_objects.checked`: 1 when the projection checked the object against its Common Model's schema as it
 * stored it, and stored the checked fields. A list page whose objects are all checked is served from the
 * stored JSON text as is, with no parsing, checking and serialising on every request. The projection's marks
 * are cleared, so that the next read of each connection maps its objects again, checked (objects that are
 * not, 0, are still served, parsed and checked on every request).
 */
import { type Kysely, type Migration, sql } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const unifiedCheckedFields: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .alterTable("unified_objects")
      .addColumn("checked", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    await sql`DELETE FROM unified_marks`.execute(db);
  },
};
