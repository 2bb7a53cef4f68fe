// First, for its effect: memory settings that must precede loading DuckDB (see the module).
import "../process-tuning.ts";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { registerConnectionsCommand } from "./commands/connections.ts";
import { registerKeysCommand } from "./commands/keys.ts";
import { registerLogsCommand } from "./commands/logs.ts";
import { registerRetlCommand } from "./commands/retl.ts";
import { registerRunsCommand } from "./commands/runs.ts";
import { registerServerCommand } from "./commands/server.ts";
import { registerSqlCommand } from "./commands/sql.ts";
import { registerSyncCommand } from "./commands/sync.ts";
import { registerSyncsCommand } from "./commands/syncs.ts";
import { registerVaultCommand } from "./commands/vault.ts";
import { registerWorkerCommand } from "./commands/worker.ts";
import { EXIT, exitCodeFor, printError } from "./output.ts";

/** The package's version; package.json sits two levels up from both src/cli/ and dist/cli/. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return String(manifest.version);
}

/** The `switchyard` command. Returns the process exit code instead of exiting, so tests can call it. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name("switchyard")
    .description("Switchyard: sync your customers' apps into your product")
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerSyncCommand(program);
  registerRunsCommand(program);
  registerLogsCommand(program);
  registerVaultCommand(program);
  registerKeysCommand(program);
  registerConnectionsCommand(program);
  registerSyncsCommand(program);
  registerSqlCommand(program);
  registerRetlCommand(program);
  registerWorkerCommand(program);
  registerServerCommand(program);
  try {
    process.exitCode = EXIT.ok;
    await program.parseAsync([...argv], { from: "user" });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the problem (or the help/version text).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    printError(error);
    return exitCodeFor(error);
  }
}

// Run directly (`node dist/cli/index.js`, `tsx src/cli/index.ts`); bin/switchyard.js imports main() instead.
const entry = process.argv[1];
if (entry && existsSync(entry) && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  process.exitCode = await main(process.argv.slice(2));
}
