import type { Command } from "commander";
import { issueApiKey } from "../../app/api-keys/api-keys.ts";
import { openWorkspace } from "../../app/workspace.ts";
import { environmentNamed } from "../environments.ts";
import { printJson } from "../output.ts";

interface KeyFlags {
  environment: string;
  name: string;
  admin?: boolean;
  dataDir?: string;
  json?: boolean;
}

/** `switchyard keys create`: an API key for any environment, from the machine that holds the data. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command("keys").description("Manage API keys of the embedded workspace");
  keys
    .command("create")
    .description(
      "Create an API key for an environment (--admin: one that also manages environments); the secret is printed once",
    )
    .requiredOption("--environment <name>", "environment, e.g. prod")
    .option("--name <name>", "a label for the key", "cli")
    .option("--admin", "an admin key: it also lists and creates environments")
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)")
    .option("--json", "print JSON")
    .action(async (flags: KeyFlags) => {
      const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
      try {
        const environment = await environmentNamed(workspace.store.db, flags.environment);
        const { key, secret } = await issueApiKey(workspace.store.db, environment, flags.name, {
          admin: flags.admin === true,
        });
        if (flags.json)
          printJson({ id: key.id, environment: environment.name, admin: key.admin === 1, secret });
        else
          process.stdout.write(
            `${secret}\n(shown once: store it now; revoke with DELETE /v1/api-keys/${key.id})\n`,
          );
      } finally {
        await workspace.close();
      }
    });
}
