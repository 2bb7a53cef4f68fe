/** What one flow run carries through its reads (run.ts) and its batched writes (page-writes.ts). */
import type { CodeFlow } from "../../flows/app-to-app/define-flow.ts";
import type { FieldRule, SideName } from "../../flows/app-to-app/definitions.ts";
import type { FlowDb } from "../../flows/app-to-app/store.ts";
import { nowIso } from "../../store/index.ts";
import type { WriteTarget } from "../reverse-etl/targets.ts";
import type { Flow } from "./flows.ts";
import type { FlowDeps, ReadSide } from "./sides.ts";

export interface FlowCounts {
  read: number;
  filtered_out: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped_echo: number;
  conflicts: number;
  /** Records deleted (or archived) because their linked record was deleted on the other side. */
  deleted: number;
  failed: number;
}

export const noCounts = (): FlowCounts => ({
  read: 0,
  filtered_out: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  skipped_echo: 0,
  conflicts: 0,
  deleted: 0,
  failed: 0,
});

export interface Side {
  name: SideName;
  read: ReadSide | undefined;
  write: WriteTarget | undefined;
  /** The record's field that says when it changed at the provider. */
  updatedAt: string | undefined;
  /** Whether a linked record deleted on the other side is deleted here too (the flow's `on_delete`). */
  takesDeletes: boolean;
}

export interface RunContext {
  db: FlowDb;
  /** The same database, as the store's repositories take it. */
  store: FlowDeps["db"];
  flow: Flow;
  code: CodeFlow | undefined;
  rules: readonly FieldRule[];
  sides: Record<SideName, Side>;
  runId: string;
  counts: FlowCounts;
  /** Records handled in this run (as a change or as the other side of one), by `side:pk`. */
  seen: Set<string>;
  signal: AbortSignal | undefined;
}

/** Whether deletes are carried into a written side: `on_delete`, by default where its target can delete. */
export function takesDeletes(flow: Flow, write: WriteTarget | undefined): boolean {
  return write !== undefined && write.cannotDelete === undefined && flow.on_delete !== "keep";
}

/** One row's result: `side` is the side written, `pk` the record of the other side that caused it. */
export async function recordRow(
  ctx: RunContext,
  side: SideName,
  pk: string,
  operation: string,
  status: string,
  remoteId: string | null,
  message: string | null,
): Promise<void> {
  const row = {
    run_id: ctx.runId,
    side,
    pk,
    operation,
    status,
    remote_id: remoteId,
    message: message?.slice(0, 2000) ?? null,
    at: nowIso(),
  };
  await ctx.db
    .insertInto("flow_run_rows")
    .values(row)
    .onConflict((c) =>
      c
        .columns(["run_id", "side", "pk"])
        .doUpdateSet({ operation, status, remote_id: remoteId, message: row.message, at: row.at }),
    )
    .execute();
}
