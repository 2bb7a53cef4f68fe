import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

const TSX = ["--import", "tsx"];

/** Starts a TypeScript script in its own Node process (so its memory is measured alone). */
export function spawnScript(script: string, args: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...TSX, script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
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

/** Runs a script to completion and returns the JSON result it printed last. */
export async function runScript<T>(script: string, args: readonly string[]): Promise<T> {
  const child = spawnScript(script, args);
  const result = await waitForJsonLine<T>(child);
  await new Promise((resolve) => child.once("exit", resolve));
  return result;
}

/** Peak resident memory of this process so far, in MB (from the kernel's high-water mark). */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
