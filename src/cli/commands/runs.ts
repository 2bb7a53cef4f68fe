import type { Command } from "commander";
import { openWorkspace } from "../../app/workspace.ts";
import { listRuns } from "../../store/index.ts";
import { formatRunLine, printJson } from "../output.ts";
import { positiveInt } from "../parse.ts";

export function registerRunsCommand(program: Command): void {
  program
    .command("runs")
    .description("List recent runs, newest first")
    .option("--limit <n>", "how many", positiveInt("--limit"), 20)
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)")
    .option("--json", "print JSON")
    .action(async (flags: { limit: number; dataDir?: string; json?: boolean }) => {
      const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
      try {
        const runs = await listRuns(workspace.store.db, { limit: flags.limit });
        if (flags.json) printJson(runs);
        else if (runs.length === 0)
          process.stdout.write("No runs yet. Start one with: switchyard sync <provider> --token …\n");
        else for (const run of runs) process.stdout.write(`${formatRunLine(run)}\n`);
      } finally {
        await workspace.close();
      }
    });
}
