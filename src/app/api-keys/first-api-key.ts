import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureEnvironment } from "../../store/index.ts";
import type { Workspace } from "../workspace.ts";
import { issueApiKey } from "./api-keys.ts";

/** File in the data directory that holds the first dev key (mode 0600). */
export const DEV_API_KEY_FILE = "dev-api-key";

/**
 * Makes sure `<dataDir>/dev-api-key` holds a working `dev` admin API key: when the file is absent (first
 * embedded start, or deleted), issues a key and writes it with mode 0600. Returns the secret only when it
 * was just created, so it is printed once; keys issued before stay valid until revoked.
 */
export async function ensureFirstApiKey(
  workspace: Pick<Workspace, "dataDir" | "store">,
): Promise<{ path: string; created?: string }> {
  const path = join(workspace.dataDir, DEV_API_KEY_FILE);
  if (existsSync(path)) return { path };
  const dev = await ensureEnvironment(workspace.store.db, "dev");
  const { secret } = await issueApiKey(workspace.store.db, dev, "dev key (first start)", { admin: true });
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return { path, created: secret };
}
