import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { resolveDataDir } from "../app/workspace.ts";
import { createClient, type SwitchyardClient } from "../client/index.ts";
import { ArgumentError, SwitchyardError } from "../core/index.ts";

export interface ApiFlags {
  apiUrl?: string;
  apiKey?: string;
  dataDir?: string;
}

/** Adds the options every API-backed command shares. */
export function withApiOptions(command: Command): Command {
  return command
    .option("--api-url <url>", "Switchyard API (default: $SWITCHYARD_API_URL or http://127.0.0.1:3000)")
    .option("--api-key <key>", "API key (default: $SWITCHYARD_API_KEY or <data-dir>/dev-api-key)")
    .option("--data-dir <dir>", "embedded data directory holding dev-api-key (default: ./.switchyard)");
}

/**
 * The typed API client for a command: URL and key from flags, environment or the embedded dev key file.
 * Connection failures become one clear error instead of a fetch stack trace.
 */
export function apiClient(flags: ApiFlags): SwitchyardClient {
  const baseUrl = flags.apiUrl ?? process.env.SWITCHYARD_API_URL ?? "http://127.0.0.1:3000";
  if (!URL.canParse(baseUrl)) throw new ArgumentError(`--api-url "${baseUrl}" is not a URL.`);
  const keyFile = join(resolveDataDir(flags.dataDir), "dev-api-key");
  const apiKey =
    flags.apiKey ??
    process.env.SWITCHYARD_API_KEY ??
    (existsSync(keyFile) ? readFileSync(keyFile, "utf8").trim() : undefined);
  if (!apiKey) {
    throw new ArgumentError(
      "No API key: pass --api-key, set SWITCHYARD_API_KEY, or run `npm start` once to create .switchyard/dev-api-key.",
    );
  }
  return createClient({
    baseUrl,
    apiKey,
    fetch: async (input, init) => {
      try {
        return await fetch(input, init);
      } catch (error) {
        throw new SwitchyardError("provider_unavailable", `No Switchyard API answered at ${baseUrl}.`, {
          hint: "Start it with `npm start`, or point --api-url at a running server.",
          cause: error,
        });
      }
    },
  });
}
