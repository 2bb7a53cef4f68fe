/**
 * Outbound webhooks: the product's endpoints per environment (`webhook_endpoints`, secrets sealed by the
 * vault), one delivery per event and endpoint (`webhook_deliveries`: the outbox the delivery worker drains,
 * with leases, retries and per-connection order), every attempt made (`webhook_attempts`: the delivery log),
 * and the runs whose outcome was already written to the event log (`webhook_announced_runs`).
 */
import type { Kysely, Migration } from "kysely";

// Migrations run against an untyped database on purpose: the schema is what they create.
type AnyDb = Kysely<Record<string, never>>;

export const webhookDeliveries: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable("webhook_endpoints")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("environment_id", "text", (c) => c.notNull().references("environments.id"))
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      /** JSON array of event types; null = every type. */
      .addColumn("event_types", "text")
      /** Vault-sealed `whsec_…` secret. */
      .addColumn("secret", "text", (c) => c.notNull())
      /** The secret before the last rotation, still signing until `previous_secret_expires_at`. */
      .addColumn("previous_secret", "text")
      .addColumn("previous_secret_expires_at", "text")
      .addColumn("enabled", "integer", (c) => c.notNull())
      .addColumn("disabled_reason", "text")
      .addColumn("disabled_at", "text")
      /** When its attempts started failing without a success since; null while it works. */
      .addColumn("failing_since", "text")
      /** Deliveries in a row whose every attempt failed. */
      .addColumn("exhausted_in_a_row", "integer", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("webhook_endpoints_by_environment")
      .on("webhook_endpoints")
      .columns(["environment_id", "enabled"])
      .execute();

    await db.schema
      .createTable("webhook_deliveries")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("endpoint_id", "text", (c) => c.notNull())
      .addColumn("environment_id", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("event_type", "text", (c) => c.notNull())
      .addColumn("connection_id", "text")
      /** Deliveries with the same key (a connection) go out in `seq` order; null = no order (replays). */
      .addColumn("ordering_key", "text")
      /** Creation order, monotonic within a process. */
      .addColumn("seq", "text", (c) => c.notNull())
      /** The `webhook-id` header: the event's id, the same for every endpoint and every replay. */
      .addColumn("message_id", "text", (c) => c.notNull())
      /** The exact JSON body sent (and signed). */
      .addColumn("payload", "text", (c) => c.notNull())
      /** `pending` (waiting or being sent), `succeeded`, `failed` (every attempt failed). */
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("next_attempt_at", "text")
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", "text")
      .addColumn("last_response_status", "text")
      .addColumn("replay_of", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex("webhook_deliveries_due")
      .on("webhook_deliveries")
      .columns(["status", "next_attempt_at"])
      .execute();
    await db.schema
      .createIndex("webhook_deliveries_in_order")
      .on("webhook_deliveries")
      .columns(["endpoint_id", "ordering_key", "status", "seq"])
      .execute();
    await db.schema
      .createIndex("webhook_deliveries_by_endpoint")
      .on("webhook_deliveries")
      .columns(["endpoint_id", "created_at"])
      .execute();

    await db.schema
      .createTable("webhook_attempts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("delivery_id", "text", (c) => c.notNull())
      .addColumn("attempt", "integer", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      /** JSON object of the request headers sent. */
      .addColumn("request_headers", "text", (c) => c.notNull())
      .addColumn("response_status", "integer")
      /** The first bytes of the response body. */
      .addColumn("response_body", "text")
      /** Why no response was judged a success (network error, refused address, status). */
      .addColumn("error", "text")
      .addColumn("latency_ms", "integer", (c) => c.notNull())
      .addColumn("next_attempt_at", "text")
      .execute();
    await db.schema
      .createIndex("webhook_attempts_by_delivery")
      .on("webhook_attempts")
      .columns(["delivery_id", "attempt"])
      .execute();

    await db.schema
      .createTable("webhook_announced_runs")
      .addColumn("run_id", "text", (c) => c.primaryKey())
      .addColumn("announced_at", "text", (c) => c.notNull())
      .execute();
    // Finished runs are swept by finish time to announce them (src/app/webhooks/run-events.ts).
    await db.schema.createIndex("runs_by_finished_at").on("runs").columns(["finished_at"]).execute();
  },
};
