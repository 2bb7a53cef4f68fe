import type { Kysely } from "kysely";
import type { ProviderDefinition } from "../core/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import type { Database } from "../store/index.ts";
import type { Vault } from "../vault/index.ts";
import type { ProviderSettings } from "./provider-settings.ts";
import type { WarehouseAccess } from "./warehouse/query.ts";

/** What the platform API works with. Everything comes in as an argument; nothing is global. */
export interface PlatformDeps {
  db: Kysely<Database>;
  vault: Vault;
  /** The providers this process knows (usually the registry's `providers`). */
  providers: Readonly<Record<string, ProviderDefinition>>;
  /** HTTP tuning for live credential checks (tests shorten it). */
  checkHttp?: { timeoutMs?: number; maxAttempts?: number };
  /**
   * This process's scheduler, woken when a sync is triggered. Without one, a trigger is stored and any
   * scheduler polling the same database starts it.
   */
  scheduler?: Pick<Scheduler, "triggerNow">;
  /** Where end users' browsers reach this Switchyard (`https://sy.example.com`): Connect links and OAuth callbacks. */
  publicUrl?: string;
  /** Per provider: this deployment's OAuth app and base URL override (sandboxes, emulators). */
  providerSettings?: Readonly<Record<string, ProviderSettings>>;
  /** The DuckDB warehouse `POST /v1/sql` reads (npm start's); without one that route answers not_found. */
  warehouse?: WarehouseAccess;
  /** Where persisted inbound webhook events are enqueued for processing (the ids of a delivery's new events). */
  inboundWebhooks?: { wake(eventIds?: readonly string[]): void };
}

// One lookup of a provider by name for every room; it lives in core so that rooms app does not own can use it.
export { findProvider } from "../core/index.ts";
