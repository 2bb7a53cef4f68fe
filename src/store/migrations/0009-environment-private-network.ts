/**
 * An environment setting: whether its connections may reach loopback, private, link-local and metadata
 * addresses. Off (0) for every environment; `npm start` turns it on for its demo environment, whose emulator
 * listens on 127.0.0.1.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const environmentPrivateNetwork: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .alterTable("environments")
      .addColumn("allow_private_network", "integer", (column) => column.notNull().defaultTo(0))
      .execute();
  },
};
