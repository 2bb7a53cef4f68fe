import type { Command } from "commander";
import { type ApiFlags, apiClient, withApiOptions } from "../api-client.ts";
import { printJson } from "../output.ts";

/** The fields of a sync that `syncs list` shows. */
interface ListedSync {
  id: string;
  connection_id: string;
  frequency: string;
  time_zone: string | null;
  enabled: boolean;
  next_run_at: string | null;
  next_run_at_local: string | null;
  streams: string[];
}

/** One line of `syncs list`: a sync in a time zone shows its next start as local time there. */
export function syncLine(s: ListedSync): string {
  const zone = s.time_zone ? ` ${s.time_zone}` : "";
  const next = s.time_zone ? s.next_run_at_local : s.next_run_at;
  const state = s.enabled ? `next ${next ?? "-"}${next ? zone : ""}` : "paused";
  return `${s.id}  ${s.connection_id}  every ${s.frequency.padEnd(6)}  ${state}  ${s.streams.join(",")}`;
}

/** `switchyard syncs list|trigger|status`: schedules and runs, through the REST API. */
export function registerSyncsCommand(program: Command): void {
  const syncs = program.command("syncs").description("Scheduled syncs, through the REST API");

  withApiOptions(syncs.command("list").description("List syncs with their frequency and next run"))
    .option("--connection <id>", "only this connection's syncs")
    .option("--json", "print JSON")
    .action(async (flags: ApiFlags & { connection?: string; json?: boolean }) => {
      const client = apiClient(flags);
      // The list filter alone cannot tell "no syncs" from "no such connection": ask for the connection first.
      if (flags.connection) await client.get("/v1/connections/:id", { params: { id: flags.connection } });
      const rows = [];
      for await (const sync of client.list("/v1/syncs", {
        query: flags.connection ? { connection_id: flags.connection } : {},
      })) {
        rows.push(sync);
      }
      if (flags.json) return printJson(rows);
      if (rows.length === 0) process.stdout.write("No syncs yet.\n");
      for (const s of rows) process.stdout.write(`${syncLine(s)}\n`);
    });

  withApiOptions(syncs.command("trigger").description("Run a sync now").argument("<sync-id>"))
    .option("--full-refresh", "re-read everything and mark what is gone as deleted")
    .option("--json", "print JSON")
    .action(async (syncId: string, flags: ApiFlags & { fullRefresh?: boolean; json?: boolean }) => {
      const sync = await apiClient(flags).post("/v1/syncs/:id/trigger", {
        params: { id: syncId },
        body: { full_refresh: flags.fullRefresh ?? false },
      });
      if (flags.json) return printJson(sync);
      process.stdout.write(
        `Queued a run of ${sync.id}; follow it with: switchyard syncs status ${sync.id}\n`,
      );
    });

  withApiOptions(syncs.command("status").description("Per-stream status of a sync").argument("<sync-id>"))
    .option("--json", "print JSON")
    .action(async (syncId: string, flags: ApiFlags & { json?: boolean }) => {
      const status = await apiClient(flags).get("/v1/syncs/:id/status", { params: { id: syncId } });
      if (flags.json) return printJson(status);
      for (const s of status.data) {
        process.stdout.write(
          `${s.stream.padEnd(12)} ${s.status.padEnd(8)} last finish ${s.last_finished_at ?? "-"}  result ${s.last_result ?? "-"}  next ${s.next_start_at ?? "-"}\n`,
        );
      }
    });
}
