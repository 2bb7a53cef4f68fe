import type { Kysely } from "kysely";
import type { Database } from "../../store/index.ts";
import { appendEvent, type ConnectionRow, inTransaction, patchConnection } from "../../store/index.ts";

/** The states a connection can be in. */
export const CONNECTION_STATUSES = ["active", "needs_reauth", "paused", "error"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export interface ConnectionProblem {
  code: string;
  message: string;
  hint?: string;
}

/**
 * Records a connection's new status and last problem (null clears it). A change of status also appends a
 * `connection.status_changed` event, so the product can react (e.g. ask its customer to re-authorise), and a
 * move to `needs_reauth` a `connection.auth_failed` event.
 */
export async function setConnectionStatus(
  db: Kysely<Database>,
  row: ConnectionRow,
  status: ConnectionStatus,
  problem: ConnectionProblem | null,
): Promise<void> {
  await inTransaction(db, async (tx) => {
    await patchConnection(tx, row.id, { status, lastError: problem });
    if (status !== row.status) {
      await appendEvent(tx, {
        environmentId: row.environment_id,
        type: "connection.status_changed",
        connectionId: row.id,
        data: { connection_id: row.id, from: row.status, to: status, ...(problem ? { error: problem } : {}) },
      });
      // The outbound webhook event (docs/webhooks.md): the provider refused the credentials.
      if (status === "needs_reauth") {
        await appendEvent(tx, {
          environmentId: row.environment_id,
          type: "connection.auth_failed",
          connectionId: row.id,
          data: { connection_id: row.id, provider: row.provider, ...(problem ? { error: problem } : {}) },
        });
      }
    }
  });
}
