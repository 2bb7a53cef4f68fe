import { fromRoot, spawnNode, waitForJsonLine } from "./child.ts";

/** The emulator as built by `npm run build` (bench/run.ts builds first). */
const EMULATOR_MAIN = fromRoot("dist/providers/hubspot/emulator/main.js");

/** Runs the HubSpot emulator in its own process, so its CPU and memory are not charged to what is measured. */
export async function startEmulatorProcess(
  args: readonly string[],
): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const child = spawnNode(EMULATOR_MAIN, ["--port", "0", ...args]);
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
