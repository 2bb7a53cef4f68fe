/**
 * Inbound webhooks: the secret each environment verifies a provider's deliveries with
 * (`inbound_webhook_settings`, vault-sealed), every event received (`inbound_webhook_events`: persisted
 * before the provider gets its 2xx, unique per provider event id so a redelivery is applied once), and
 * each connection's account id at its provider (`inbound_webhook_accounts`), which routes events to it.
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const inboundWebhooks: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("inbound_webhook_settings")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("provider", "text", (c) => c.notNull())
      /** Vault-sealed secret the provider's deliveries are verified with. */
      .addColumn("secret", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addUniqueConstraint("inbound_webhook_settings_one", ["environment_id", "provider"])
      .execute();

    await db.schema
      .createTable("inbound_webhook_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      /** The provider's event id (a redelivery carries the same one). */
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("account_id", "text")
      /** `upsert`, `delete`, `sync` or `ignore`, as the provider's declaration read the event. */
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("stream", "text")
      .addColumn("record_id", "text")
      /** JSON text of the event as received. */
      .addColumn("payload", "text", (c) => c.notNull())
      /** `received` (not processed yet), `processed`, `ignored`, `unroutable`, `failed`. */
      .addColumn("status", "text", (c) => c.notNull())
      /** JSON array of the connections it was routed to. */
      .addColumn("connection_ids", "text")
      .addColumn("error", "text")
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("occurred_at", "text")
      .addColumn("received_at", "text", (c) => c.notNull())
      .addColumn("processed_at", "text")
      .addUniqueConstraint("inbound_webhook_events_once", ["environment_id", "provider", "event_id"])
      .execute();
    await db.schema
      .createIndex("inbound_webhook_events_by_status")
      .on("inbound_webhook_events")
      .columns(["status", "received_at"])
      .execute();
    await db.schema
      .createIndex("inbound_webhook_events_by_environment")
      .on("inbound_webhook_events")
      .columns(["environment_id", "status", "received_at"])
      .execute();

    await db.schema
      .createTable("inbound_webhook_accounts")
      .addColumn("connection_id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("resolved_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("inbound_webhook_accounts_by_account")
      .on("inbound_webhook_accounts")
      .columns(["environment_id", "provider", "account_id"])
      .execute();
  },
};
