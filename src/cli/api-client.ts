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

const DEFAULT_PORT = 3000;

/** Adds the options every API-backed command shares. */
export function withApiOptions(command: Command): Command {
  return command
    .option(
      "--api-url <url>",
      `Switchyard API (default: $SWITCHYARD_API_URL, else http://127.0.0.1:$PORT, else port ${DEFAULT_PORT})`,
    )
    .option("--api-key <key>", "API key (default: $SWITCHYARD_API_KEY or <data-dir>/dev-api-key)")
    .option("--data-dir <dir>", "embedded data directory holding dev-api-key (default: ./.switchyard)");
}

/**
 * Where the API is and where that answer came from: --api-url, then SWITCHYARD_API_URL, then the PORT that
 * `npm start` listens on, then its default port. The source goes into errors, so a wrong guess is visible.
 */
export function resolveApiUrl(
  flags: Pick<ApiFlags, "apiUrl">,
  env: NodeJS.ProcessEnv = process.env,
): { url: string; source: string } {
  if (flags.apiUrl) return { url: flags.apiUrl, source: "--api-url" };
  if (env.SWITCHYARD_API_URL) return { url: env.SWITCHYARD_API_URL, source: "SWITCHYARD_API_URL" };
  if (env.PORT) {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new ArgumentError(
        `PORT "${env.PORT}" is not a port number.`,
        "Set PORT to the port `npm start` listens on, or pass --api-url.",
      );
    }
    return { url: `http://127.0.0.1:${port}`, source: "PORT" };
  }
  return { url: `http://127.0.0.1:${DEFAULT_PORT}`, source: "the default" };
}

/**
 * The typed API client for a command: URL and key from flags, environment or the embedded dev key file.
 * Connection failures become one clear error naming the URL tried, instead of a fetch stack trace.
 */
export function apiClient(flags: ApiFlags): SwitchyardClient {
  const { url: baseUrl, source } = resolveApiUrl(flags);
  if (!URL.canParse(baseUrl)) {
    throw new ArgumentError(
      `The API URL "${baseUrl}" (from ${source}) is not a URL.`,
      "e.g. http://127.0.0.1:3000",
    );
  }
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
        throw new SwitchyardError(
          "provider_unavailable",
          `No Switchyard API answered at ${baseUrl} (from ${source}).`,
          {
            hint:
              "Start it with `npm start`, or point the CLI at a running server with --api-url or " +
              "SWITCHYARD_API_URL (or PORT, for a local `npm start` on another port).",
            cause: error,
          },
        );
      }
    },
  });
}
