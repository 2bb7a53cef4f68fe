/**
 * `unified_objects.checked`: 1 when the projection checked the object against its Common Model's schema as it
 * stored it, and stored the checked fields. A list page whose objects are all checked is served from the
 * stored JSON text as is, with no parsing, checking and serialising on every request; objects stored before
 * (0) are served as before until their next change maps them again.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const unifiedCheckedFields: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .alterTable("unified_objects")
      .addColumn("checked", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
