import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateVaultKey, parseVaultKey, Vault } from "./vault.ts";

/**
 * The vault for a process: the key comes from SWITCHYARD_ENCRYPTION_KEY, or in embedded mode from
 * `<dataDir>/encryption.key`, generated with mode 0600 on first use.
 */
export function loadVault(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Vault {
  const env = options.env ?? process.env;
  const previous = (env.SWITCHYARD_PREVIOUS_ENCRYPTION_KEYS ?? "")
    .split(",")
    .filter((k) => k.trim() !== "")
    .map(parseVaultKey);
  if (env.SWITCHYARD_ENCRYPTION_KEY) return new Vault(parseVaultKey(env.SWITCHYARD_ENCRYPTION_KEY), previous);
  if (!options.dataDir) {
    return new Vault(parseVaultKey(generateVaultKey()), previous);
  }
  const path = join(options.dataDir, "encryption.key");
  if (!existsSync(path)) writeFileSync(path, `${generateVaultKey()}\n`, { mode: 0o600, flag: "wx" });
  return new Vault(parseVaultKey(readFileSync(path, "utf8")), previous);
}
