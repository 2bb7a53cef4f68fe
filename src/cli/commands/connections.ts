import type { Command } from "commander";
import { type ApiFlags, apiClient, withApiOptions } from "../api-client.ts";
import { printJson } from "../output.ts";

/** `switchyard connections list`: the environment's connections, through the REST API. */
export function registerConnectionsCommand(program: Command): void {
  const connections = program.command("connections").description("Connections, through the REST API");
  withApiOptions(connections.command("list").description("List connections, newest first"))
    .option("--provider <name>", "only this provider")
    .option("--json", "print JSON")
    .action(async (flags: ApiFlags & { provider?: string; json?: boolean }) => {
      const client = apiClient(flags);
      const rows = [];
      for await (const connection of client.list("/v1/connections", {
        query: flags.provider ? { provider: flags.provider } : {},
      })) {
        rows.push(connection);
      }
      if (flags.json) return printJson(rows);
      if (rows.length === 0) process.stdout.write("No connections yet.\n");
      for (const c of rows) {
        process.stdout.write(`${c.id}  ${c.provider.padEnd(10)}  ${c.status.padEnd(12)}  ${c.end_user.id}\n`);
      }
    });
}
