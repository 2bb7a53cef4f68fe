/**
 * Row types of the control plane and records cache, as Kysely sees them.
 * Timestamps are ISO-8601 UTC strings and JSON columns are text, so that one set of migrations
 * and one query layer serve SQLite and Postgres alike.
 */
import type { Generated } from "kysely";

export interface EnvironmentsTable {
  id: string;
  name: string;
  created_at: string;
  /** 1: its connections may reach loopback, private and link-local addresses (emulators); 0 (default): not. */
  allow_private_network: number;
}

export interface ConnectionsTable {
  id: string;
  environment_id: string;
  provider: string;
  end_user_id: string | null;
  status: string;
  /** Provider-specific settings that are not secret (e.g. a base URL override). JSON text. */
  config: string;
  /** Credentials as sealed by the vault (never plaintext). */
  credentials: string;
  created_at: string;
  updated_at: string;
  end_user_email: string | null;
  end_user_organization: string | null;
  /** The product's own key-value data about the connection. JSON text. */
  metadata: string;
  /** JSON text of the last problem seen with the connection ({code, message, hint}), or null. */
  last_error: string | null;
  /** sha256 (hex) of the connection's account token (`X-Account-Token`); null until one is issued. */
  account_token_hash: string | null;
  last_checked_at: string | null;
}

export interface ConnectionTagsTable {
  connection_id: string;
  tag: string;
}

export interface ApiKeysTable {
  id: string;
  environment_id: string;
  name: string;
  /** The first characters of the secret, safe to show. */
  prefix: string;
  /** sha256 (hex) of the secret; the secret itself is never stored. */
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** 1 for an admin key: it also lists and creates environments. */
  admin: number;
}

/** The API-visible event log of an environment (`connection.created`, …). */
export interface EventsTable {
  id: string;
  environment_id: string;
  type: string;
  connection_id: string | null;
  /** JSON text; never holds secrets. */
  data: string;
  created_at: string;
}

export interface SyncsTable {
  id: string;
  connection_id: string;
  /** JSON array of stream names. */
  streams: string;
  created_at: string;
  updated_at: string;
  /** An interval (`30s`, `1h`) or a 5-field cron expression (UTC). */
  frequency: string;
  /** 1 = runs on schedule; 0 = paused. */
  enabled: number;
  /** 1 = runs also write the DuckDB warehouse. */
  warehouse: number;
  next_run_at: string | null;
  last_run_id: string | null;
  /** When a manual run was asked for and not yet started. */
  requested_at: string | null;
  requested_full_refresh: number;
  /** The worker holding the sync's lease (running it), until when, and since when. */
  lease_owner: string | null;
  lease_expires_at: string | null;
  leased_at: string | null;
  /** IANA time zone in which a cron frequency is read; null is UTC. */
  time_zone: string | null;
}

/** The lease every run of a connection holds (at most one run per connection at a time). */
export interface ConnectionLeasesTable {
  connection_id: string;
  /** The worker (a scheduler's queue, or one CLI run) holding it. */
  owner: string;
  /** The sync whose scheduled run holds it; null for a CLI run. */
  sync_id: string | null;
  /** The process holding it: host, pid and the OS's start time of that pid (null where unknown). */
  holder_host: string;
  holder_pid: number;
  holder_started: string | null;
  leased_at: string;
  expires_at: string;
}

/** One stream of a sync; (connection_id, stream) is unique, so a stream belongs to at most one sync. */
export interface SyncStreamsTable {
  connection_id: string;
  stream: string;
  sync_id: string;
  last_run_id: string | null;
  last_started_at: string | null;
  last_finished_at: string | null;
  /** `succeeded` | `failed`; null before the first run. */
  last_result: string | null;
  /** JSON text of the last failure's error summary. */
  last_error: string | null;
}

export interface RunsTable {
  id: string;
  connection_id: string;
  sync_id: string | null;
  status: string;
  full_refresh: number;
  started_at: string;
  finished_at: string | null;
  /** JSON text of RunStats. */
  stats: string;
  /** JSON text of the error summary, when failed. */
  error: string | null;
  /** Last sign of life from the process running it (see runs.ts: `beatRun`, `reapStaleRuns`). */
  heartbeat_at: string | null;
}

export interface RunLogsTable {
  run_id: string;
  /** Position of the line within its run. */
  seq: number;
  at: string;
  level: string;
  message: string;
  fields: string | null;
}

export interface StreamStatesTable {
  connection_id: string;
  stream: string;
  state: string;
  updated_at: string;
}

/** Per stream of a connection: when its records last changed in the cache (destinations catch up from it). */
export interface RecordStreamsTable {
  connection_id: string;
  stream: string;
  changed_at: string;
}

export interface RecordsTable {
  connection_id: string;
  stream: string;
  pk: string;
  hash: string;
  payload: string;
  deleted: number;
  first_seen_at: string;
  last_seen_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** A Common Model object mapped from the records cache (migration 0012): what unified reads page through. */
export interface UnifiedObjectsTable {
  connection_id: string;
  model: string;
  remote_id: string;
  id: string;
  stream: string;
  created_at: string;
  modified_at: string;
  deleted: number;
  account_id: string | null;
  owner_id: string | null;
  stage_id: string | null;
  status: string | null;
  /** JSON text of the mapped fields. */
  fields: string;
  /** 1 when `fields` holds the fields as checked against the model's schema (migration 0015). */
  checked: Generated<number>;
}

/** A value a unified object is matched by exactly (`kind` `email` or `phone`, lower-cased). */
export interface UnifiedObjectKeysTable {
  connection_id: string;
  model: string;
  kind: string;
  value: string;
  id: string;
}

/** Per stream of a connection: the cache change time unified_objects has caught up to, by mapper version. */
export interface UnifiedMarksTable {
  connection_id: string;
  stream: string;
  synced_through: string;
  mapper_version: string;
}

/** A Connect session of an environment: who may connect which providers, until when, and what came of it. */
export interface ConnectSessionsTable {
  id: string;
  environment_id: string;
  /** sha256 (hex) of the session token; the token itself is never stored. */
  token_hash: string;
  end_user_id: string;
  end_user_email: string | null;
  end_user_organization: string | null;
  /** JSON array of provider names. */
  allowed_providers: string;
  expires_at: string;
  created_at: string;
  used_at: string | null;
  connection_id: string | null;
  /** sha256 (hex) of the pending OAuth2 attempt's `state`. */
  oauth_state_hash: string | null;
  /** The pending OAuth2 attempt (provider, PKCE verifier), sealed by the vault. */
  oauth_pending: string | null;
  /** Failed credential attempts so far; at the limit the session is locked. */
  failed_attempts: number;
  /** When too many failed attempts locked the session. */
  locked_at: string | null;
}

/** A field mapping (migration 0014): of one connection, or of every connection of a provider in the environment. */
export interface FieldMappingsTable {
  id: string;
  environment_id: string;
  connection_id: string | null;
  provider: string;
  /** `connection:<id>` or `provider:<name>`: one mapping per (scope, model, target). */
  scope: string;
  model: string;
  target_field_name: string;
  target_field_description: string;
  /** JSON array of path steps. */
  traversal_path: string;
  remote_method: string;
  remote_url_path: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  environments: EnvironmentsTable;
  connections: ConnectionsTable;
  syncs: SyncsTable;
  connection_leases: ConnectionLeasesTable;
  sync_streams: SyncStreamsTable;
  runs: RunsTable;
  run_logs: RunLogsTable;
  stream_states: StreamStatesTable;
  records: RecordsTable;
  record_streams: RecordStreamsTable;
  connection_tags: ConnectionTagsTable;
  api_keys: ApiKeysTable;
  events: EventsTable;
  connect_sessions: ConnectSessionsTable;
  unified_objects: UnifiedObjectsTable;
  unified_object_keys: UnifiedObjectKeysTable;
  unified_marks: UnifiedMarksTable;
  field_mappings: FieldMappingsTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_announced_runs: WebhookAnnouncedRunsTable;
  inbound_webhook_settings: InboundWebhookSettingsTable;
  inbound_webhook_events: InboundWebhookEventsTable;
  inbound_webhook_accounts: InboundWebhookAccountsTable;
}

/** The answer a write gave under an `Idempotency-Key`, per environment, until it expires (migration 0013). */
export interface IdempotencyKeysTable {
  environment_id: string;
  key: string;
  /** sha256 (hex) of the request the key was first used for. */
  request_hash: string;
  /** Null while the first request is being answered. */
  response_status: number | null;
  response_body: string | null;
  created_at: string;
  expires_at: string;
}

/** A product's endpoint for outbound webhooks (migration 0016); secrets are vault-sealed. */
export interface WebhookEndpointsTable {
  id: string;
  environment_id: string;
  url: string;
  description: string;
  /** JSON array of event types; null = every type. */
  event_types: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  failing_since: string | null;
  exhausted_in_a_row: number;
  created_at: string;
  updated_at: string;
}

/** One event to send to one endpoint (migration 0016): the outbox the delivery worker drains. */
export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  environment_id: string;
  event_id: string;
  event_type: string;
  connection_id: string | null;
  ordering_key: string | null;
  seq: string;
  message_id: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_response_status: string | null;
  replay_of: string | null;
  created_at: string;
  updated_at: string;
}

/** One attempt to deliver (migration 0016): the delivery log. */
export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  started_at: string;
  request_headers: string;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  latency_ms: number;
  next_attempt_at: string | null;
}

/** Runs whose outcome is in the event log (migration 0016). */
export interface WebhookAnnouncedRunsTable {
  run_id: string;
  announced_at: string;
}

/** The secret an environment verifies a provider's webhooks with (migration 0017); vault-sealed. */
export interface InboundWebhookSettingsTable {
  id: string;
  environment_id: string;
  provider: string;
  secret: string;
  created_at: string;
  updated_at: string;
}

/** `syncing`: routed, waiting for its debounced sync to be asked for. */
export type InboundEventStatus = "received" | "syncing" | "processed" | "ignored" | "unroutable" | "failed";

/** One event a provider delivered (migration 0017), unique per environment, provider and provider event id. */
export interface InboundWebhookEventsTable {
  id: string;
  environment_id: string;
  provider: string;
  event_id: string;
  type: string;
  account_id: string | null;
  action: string;
  stream: string | null;
  record_id: string | null;
  payload: string;
  status: InboundEventStatus;
  connection_ids: string | null;
  error: string | null;
  attempts: number;
  occurred_at: string | null;
  received_at: string;
  processed_at: string | null;
}

/** A connection's account at its provider (HubSpot portal, Pipedrive company), which routes events to it. */
export interface InboundWebhookAccountsTable {
  connection_id: string;
  environment_id: string;
  provider: string;
  account_id: string;
  resolved_at: string;
}
