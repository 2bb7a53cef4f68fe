import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateVaultKey, type KeyRing, parseVaultKey, Vault, type VaultKey } from "./vault.ts";

const CURRENT_FILE = "encryption.key";
const PREVIOUS_FILE = "encryption.previous-keys";

function parseKeyList(text: string): VaultKey[] {
  return text
    .split(/[\s,]+/)
    .filter((k) => k.trim() !== "")
    .map(parseVaultKey);
}

/** Reads the key ring: from SWITCHYARD_ENCRYPTION_KEY (+ _PREVIOUS_…), else from the data directory's key files. */
export function readKeyRing(options: { dataDir?: string; env?: NodeJS.ProcessEnv }): KeyRing | undefined {
  const env = options.env ?? process.env;
  const previousFromEnv = parseKeyList(env.SWITCHYARD_PREVIOUS_ENCRYPTION_KEYS ?? "");
  if (env.SWITCHYARD_ENCRYPTION_KEY) {
    return { current: parseVaultKey(env.SWITCHYARD_ENCRYPTION_KEY), previous: previousFromEnv };
  }
  if (!options.dataDir) return undefined;
  const currentPath = join(options.dataDir, CURRENT_FILE);
  if (!existsSync(currentPath)) return undefined;
  const previousPath = join(options.dataDir, PREVIOUS_FILE);
  const previous = existsSync(previousPath) ? parseKeyList(readFileSync(previousPath, "utf8")) : [];
  return {
    current: parseVaultKey(readFileSync(currentPath, "utf8")),
    previous: [...previous, ...previousFromEnv],
  };
}

/**
 * The vault for a process: keys from SWITCHYARD_ENCRYPTION_KEY, or in embedded mode from
 * `<dataDir>/encryption.key`, generated with mode 0600 on first use. With key files the vault reloads
 * them when it meets a key it does not know, so running processes follow a rotation.
 */
export function loadVault(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Vault {
  const existing = readKeyRing(options);
  if (existing && (options.env ?? process.env).SWITCHYARD_ENCRYPTION_KEY) return new Vault(existing);
  if (!options.dataDir) return new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
  const dataDir = options.dataDir;
  if (!existing)
    writeFileSync(join(dataDir, CURRENT_FILE), `${generateVaultKey()}\n`, { mode: 0o600, flag: "wx" });
  const reload = () => readKeyRing({ ...options, dataDir }) as KeyRing;
  return new Vault(reload(), reload);
}

/**
 * Embedded rotation, step one: the current key file gets a new key and the old one moves to the
 * previous-keys file (written first, so a crash in between loses no key). Returns the new key id.
 */
export function rotateKeyFiles(dataDir: string): { newKeyId: string; oldKeyId: string } {
  const ring = readKeyRing({ dataDir, env: {} });
  if (!ring) throw new Error(`No ${CURRENT_FILE} in ${dataDir}: nothing to rotate.`);
  const previousPath = join(dataDir, PREVIOUS_FILE);
  const oldKeys = existsSync(previousPath) ? readFileSync(previousPath, "utf8").trim() : "";
  const currentText = readFileSync(join(dataDir, CURRENT_FILE), "utf8").trim();
  writeFileSync(previousPath, `${[oldKeys, currentText].filter(Boolean).join("\n")}\n`, { mode: 0o600 });
  const next = generateVaultKey();
  const tmp = join(dataDir, `${CURRENT_FILE}.next`);
  writeFileSync(tmp, `${next}\n`, { mode: 0o600 });
  renameSync(tmp, join(dataDir, CURRENT_FILE));
  return { newKeyId: parseVaultKey(next).id, oldKeyId: ring.current.id };
}

/** Embedded rotation, last step: forgets previous keys once no secret needs them. */
export function forgetPreviousKeys(dataDir: string): void {
  writeFileSync(join(dataDir, PREVIOUS_FILE), "", { mode: 0o600 });
}
