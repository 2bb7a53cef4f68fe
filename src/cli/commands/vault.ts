import type { Command } from "commander";
import { openWorkspace } from "../../app/workspace.ts";
import { ArgumentError } from "../../core/index.ts";
import { forgetPreviousKeys, loadVault, rotateKeyFiles } from "../../vault/index.ts";
import { resealSecrets } from "../../vault/reseal-secrets.ts";
import { printJson } from "../output.ts";

interface RotateFlags {
  dataDir?: string;
  forgetPrevious?: boolean;
  json?: boolean;
}

export function registerVaultCommand(program: Command): void {
  const vault = program.command("vault").description("Manage the encryption of stored credentials");
  vault
    .command("rotate")
    .description(
      "Re-encrypt every stored secret under a new key, while Switchyard keeps running. Embedded mode makes the new " +
        "key itself; with SWITCHYARD_ENCRYPTION_KEY, set the new key there and the old one in " +
        "SWITCHYARD_PREVIOUS_ENCRYPTION_KEYS first.",
    )
    .option("--data-dir <dir>", "embedded data directory (default: ./.switchyard)")
    .option(
      "--forget-previous",
      "after re-sealing, forget old keys (once every process runs with the new one)",
    )
    .option("--json", "print the report as JSON")
    .action(async (flags: RotateFlags) => {
      const workspace = await openWorkspace({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) });
      try {
        const usesKeyFiles = !process.env.SWITCHYARD_ENCRYPTION_KEY;
        const rotation =
          usesKeyFiles && !flags.forgetPrevious ? rotateKeyFiles(workspace.dataDir) : undefined;
        if (!usesKeyFiles && !process.env.SWITCHYARD_PREVIOUS_ENCRYPTION_KEYS && !flags.forgetPrevious) {
          throw new ArgumentError(
            "SWITCHYARD_ENCRYPTION_KEY is set but SWITCHYARD_PREVIOUS_ENCRYPTION_KEYS is not.",
            "Put the new key in SWITCHYARD_ENCRYPTION_KEY and the old one in SWITCHYARD_PREVIOUS_ENCRYPTION_KEYS, restart the processes, then run rotate.",
          );
        }
        // Read the keys again: the rotation above changed them.
        const current = loadVault({ dataDir: workspace.dataDir });
        const report = await resealSecrets(workspace.store.db, current);
        const stillOld = report.skipped > 0 ? (await resealSecrets(workspace.store.db, current)).resealed : 0;
        if (flags.forgetPrevious && usesKeyFiles) forgetPreviousKeys(workspace.dataDir);
        const result = {
          keyId: current.currentKeyId,
          ...report,
          resealedOnSecondPass: stillOld,
          rotated: rotation ?? null,
        };
        if (flags.json) printJson(result);
        else {
          process.stdout.write(
            `${report.resealed + stillOld} secrets re-sealed under key ${current.currentKeyId}; ${report.current} were already current.\n`,
          );
          if (!flags.forgetPrevious && usesKeyFiles) {
            process.stdout.write(
              "Old keys stay readable until every running process has picked up the new key; then run: switchyard vault rotate --forget-previous\n",
            );
          }
        }
      } finally {
        await workspace.close();
      }
    });
}
