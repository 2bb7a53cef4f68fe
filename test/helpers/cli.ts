import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The installed command, which runs the build in dist/ (`npm run build` first). */
export const BUILT_BIN = fileURLToPath(new URL("../../bin/switchyard.js", import.meta.url));
// By default tests run the sources through tsx, so they see the code as it is now, built or not.
const SOURCES = ["--import", "tsx", fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url))];

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `switchyard` command in a child process and collects its output: from the sources, or
 * through `options.bin` (such as BUILT_BIN) when given.
 */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; bin?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const entry = options.bin ? [options.bin] : SOURCES;
    const child = spawn(process.execPath, [...entry, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Starts the CLI (from the sources) without waiting, for tests that kill it midway. */
export function spawnCli(args: readonly string[]) {
  return spawn(process.execPath, [...SOURCES, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}
