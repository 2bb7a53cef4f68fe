import type { Command } from "commander";
import { openWorkspace } from "../../app/workspace.ts";
import type { LogLevel } from "../../core/index.ts";
import { getRun, listRunLogs } from "../../store/index.ts";
import { logLevel } from "../parse.ts";

export function registerLogsCommand(program: Command): void {
  program
    .command("logs")
    .description("Show the log lines of a run")
    .argument("<run-id>", "the run, as printed by `switchyard runs`")
    .option("--level <level>", "minimum level: debug, info, warn, error", logLevel, "info" satisfies LogLevel)
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)")
    .option("--json", "print JSON lines")
    .action(async (runId: string, flags: { level: LogLevel; dataDir?: string; json?: boolean }) => {
      const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
      try {
        await getRun(workspace.store.db, runId);
        let afterSeq = -1;
        for (;;) {
          const lines = await listRunLogs(workspace.store.db, runId, {
            minLevel: flags.level,
            afterSeq,
            limit: 1000,
          });
          if (lines.length === 0) break;
          for (const line of lines) {
            if (flags.json) process.stdout.write(`${JSON.stringify(line)}\n`);
            else {
              const fields = line.fields ? ` ${JSON.stringify(line.fields)}` : "";
              process.stdout.write(
                `${line.at} ${line.level.toUpperCase().padEnd(5)} ${line.message}${fields}\n`,
              );
            }
          }
          afterSeq = lines[lines.length - 1]!.seq;
        }
      } finally {
        await workspace.close();
      }
    });
}
