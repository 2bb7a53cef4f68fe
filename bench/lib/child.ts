import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Preloaded (`--import`) into a measured process: writes its peak RSS to BENCH_PEAK_RSS_FILE at exit. */
export const PEAK_RSS_HOOK = fileURLToPath(new URL("./report-peak-rss.mjs", import.meta.url));

/** A path under the repository root, from the bench/lib folder. */
export const fromRoot = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Starts a JavaScript file in its own bare Node process (so its memory is measured alone). */
export function spawnNode(script: string, args: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
}

/** Resolves with the first JSON line a child prints that satisfies `accept`; rejects if it exits first. */
export function waitForJsonLine<T>(
  child: ChildProcess,
  accept: (value: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) =>
      reject(new Error(`child exited (${code}) before printing its result`));
    child.once("exit", onExit);
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      const value = JSON.parse(line) as T;
      if (!accept(value)) return;
      child.off("exit", onExit);
      lines.close();
      resolve(value);
    });
  });
}

/** Runs a script to completion and returns the one-line JSON result it printed. */
export async function runScript<T>(script: string, args: readonly string[]): Promise<T> {
  const child = spawnNode(script, args);
  const result = await waitForJsonLine<T>(child);
  await new Promise((resolve) => child.once("exit", resolve));
  return result;
}

/**
 * Runs an executable Node program (its shebang picks its Node flags, as when a user runs it) to completion,
 * with the peak-RSS hook preloaded through NODE_OPTIONS; returns its whole stdout and its peak RSS in MB.
 * Fails when it exits with a non-zero code.
 */
export async function runMeasured(
  program: string,
  args: readonly string[],
  peakRssFile: string,
): Promise<{ stdout: string; peakRssMb: number }> {
  const nodeOptions = [process.env.NODE_OPTIONS, `--import="${PEAK_RSS_HOOK}"`].filter(Boolean).join(" ");
  const child = spawn(program, [...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_OPTIONS: nodeOptions, BENCH_PEAK_RSS_FILE: peakRssFile },
  });
  let stdout = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`${program} ${args.join(" ")} exited with ${code}:\n${stdout}`);
  return { stdout, peakRssMb: Number(readFileSync(peakRssFile, "utf8")) };
}
