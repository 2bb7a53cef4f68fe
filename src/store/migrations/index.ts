/**
 * Dialect-neutral migrations: only types and constraints that SQLite and Postgres both understand
 * (text timestamps in ISO-8601 UTC, JSON as text, integer flags). One file per migration; never edit a
 * shipped one, add a new file and one line below.
 */
import type { Migration, MigrationProvider } from "kysely";
import { initial } from "./0001-initial.ts";
import { platform } from "./0002-platform.ts";
import { syncs } from "./0003-syncs.ts";
import { connectSessions } from "./0004-connect-sessions.ts";
import { runHeartbeats } from "./0005-run-heartbeats.ts";
import { recordStreamChanges } from "./0006-record-stream-changes.ts";
import { connectionLeases } from "./0007-connection-leases.ts";
import { adminKeysAndConnectLocks } from "./0008-admin-keys-and-connect-locks.ts";
import { environmentPrivateNetwork } from "./0009-environment-private-network.ts";
import { unifiedReads } from "./0012-unified-reads.ts";
import { idempotencyKeys } from "./0013-idempotency-keys.ts";
import { fieldMappings } from "./0014-field-mappings.ts";
import { unifiedCheckedFields } from "./0015-unified-checked-fields.ts";
import { webhookDeliveries } from "./0016-webhook-deliveries.ts";
import { inboundWebhooks } from "./0017-inbound-webhooks.ts";
import { sharedState } from "./0018-shared-state.ts";
import { reverseEtl } from "./0020-reverse-etl.ts";
import { issues } from "./0021-issues.ts";
import { runSamples } from "./0022-run-samples.ts";
import { reverseEtlSchedules } from "./0025-reverse-etl-schedules.ts";
import { appToAppFlows } from "./0027-app-to-app-flows.ts";
import { sources } from "./0030-sources.ts";
import { embeddedSyncs } from "./0031-embedded-syncs.ts";
import { retlSnapshotFiles } from "./0032-retl-snapshot-files.ts";

export const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_platform": platform,
  "0003_syncs": syncs,
  "0004_connect_sessions": connectSessions,
  "0005_run_heartbeats": runHeartbeats,
  "0006_record_stream_changes": recordStreamChanges,
  "0007_connection_leases": connectionLeases,
  "0008_admin_keys_and_connect_locks": adminKeysAndConnectLocks,
  "0009_environment_private_network": environmentPrivateNetwork,
  "0012_unified_reads": unifiedReads,
  "0013_idempotency_keys": idempotencyKeys,
  "0014_field_mappings": fieldMappings,
  "0015_unified_checked_fields": unifiedCheckedFields,
  "0016_webhook_deliveries": webhookDeliveries,
  "0017_inbound_webhooks": inboundWebhooks,
  "0018_shared_state": sharedState,
  "0020_reverse_etl": reverseEtl,
  "0021_issues": issues,
  "0022_run_samples": runSamples,
  "0025_reverse_etl_schedules": reverseEtlSchedules,
  "0027_app_to_app_flows": appToAppFlows,
  "0030_sources": sources,
  "0031_embedded_syncs": embeddedSyncs,
  "0032_retl_snapshot_files": retlSnapshotFiles,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
