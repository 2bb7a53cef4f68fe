import { fileURLToPath } from "node:url";
import { spawnScript, waitForJsonLine } from "./child.ts";

const EMULATOR_MAIN = fileURLToPath(new URL("../../src/providers/hubspot/emulator/main.ts", import.meta.url));

/** Runs the HubSpot emulator in its own process, so its CPU and memory are not charged to what is measured. */
export async function startEmulatorProcess(
  args: readonly string[],
): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const child = spawnScript(EMULATOR_MAIN, ["--port", "0", ...args]);
  const ready = await waitForJsonLine<{ event: string; url: string; tokens: string[] }>(
    child,
    (v) => v.event === "listening",
  );
  return {
    url: ready.url,
    token: ready.tokens[0]!,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
