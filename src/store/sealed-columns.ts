/**
 * Every column that holds vault-sealed secrets, so key rotation can find them all.
 * A feature that stores a sealed secret in a new column adds one line here.
 */
export interface SealedColumn {
  table: string;
  /** A unique key column to address one row by. */
  key: string;
  column: string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: "connections", key: "id", column: "credentials" },
  { table: "connect_sessions", key: "id", column: "oauth_pending" },
  { table: "webhook_endpoints", key: "id", column: "secret" },
  { table: "webhook_endpoints", key: "id", column: "previous_secret" },
  { table: "inbound_webhook_settings", key: "id", column: "secret" },
  { table: "sources", key: "id", column: "connection_string" },
];
