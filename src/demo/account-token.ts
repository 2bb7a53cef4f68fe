/**
 * The account token of a demo connection, for the unified API's `X-Account-Token`: kept in a file of the
 * data directory (mode 0600, as the dev API key), so the commands `npm start` prints keep working across
 * restarts. A token is issued only when the file is missing or no longer names the connection.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashAccountToken, issueAccountToken } from "../app/unified/account-tokens.ts";
import type { Workspace } from "../app/workspace.ts";
import type { ConnectionRow } from "../store/index.ts";
import { findConnectionByAccountTokenHash } from "../store/repositories/linked-accounts.ts";

/** The file's path, and the token when it was just issued (then the file is new). */
export async function ensureDemoAccountToken(
  workspace: Pick<Workspace, "dataDir" | "store">,
  connection: Pick<ConnectionRow, "id" | "provider" | "environment_id">,
): Promise<{ path: string; issued: boolean }> {
  const path = join(workspace.dataDir, `${connection.provider}-account-token`);
  const saved = existsSync(path) ? readFileSync(path, "utf8").trim() : "";
  if (saved !== "") {
    const named = await findConnectionByAccountTokenHash(
      workspace.store.db,
      connection.environment_id,
      hashAccountToken(saved),
    );
    if (named?.id === connection.id) return { path, issued: false };
  }
  const token = await issueAccountToken(workspace.store.db, connection.id);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { path, issued: true };
}
