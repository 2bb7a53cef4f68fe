// First, for its effect: memory settings that must precede loading DuckDB (see the module).
import "../process-tuning.ts";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { EXIT, exitCodeFor, printError } from "./output.ts";

/** The package's version; package.json sits two levels up from both src/cli/ and dist/cli/. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return String(manifest.version);
}

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: a run of one command loads only its own dependencies (the
 * scale-out server's web stack and job queue are not in a `switchyard sync`'s memory). In help order.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  sync: async () => (await import("./commands/sync.ts")).registerSyncCommand,
  runs: async () => (await import("./commands/runs.ts")).registerRunsCommand,
  logs: async () => (await import("./commands/logs.ts")).registerLogsCommand,
  vault: async () => (await import("./commands/vault.ts")).registerVaultCommand,
  keys: async () => (await import("./commands/keys.ts")).registerKeysCommand,
  connections: async () => (await import("./commands/connections.ts")).registerConnectionsCommand,
  syncs: async () => (await import("./commands/syncs.ts")).registerSyncsCommand,
  sql: async () => (await import("./commands/sql.ts")).registerSqlCommand,
  retl: async () => (await import("./commands/retl.ts")).registerRetlCommand,
  flows: async () => (await import("./commands/flows.ts")).registerFlowsCommand,
  sources: async () => (await import("./commands/sources.ts")).registerSourcesCommand,
  worker: async () => (await import("./commands/worker.ts")).registerWorkerCommand,
  server: async () => (await import("./commands/server.ts")).registerServerCommand,
};

/** The command `argv` names, or every one (for help, a typo's suggestions, or no command at all). */
function commandsFor(argv: readonly string[]): string[] {
  const named = argv.find((arg) => !arg.startsWith("-"));
  return named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
}

/** The `switchyard` command. Returns the process exit code instead of exiting, so tests can call it. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name("switchyard")
    .description("Switchyard: sync your customers' apps into your product")
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const name of commandsFor(argv)) (await COMMANDS[name]!())(program);
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
