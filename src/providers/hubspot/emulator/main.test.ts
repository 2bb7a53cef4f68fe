import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

describe("the emulator's command", () => {
  it("says the port is taken and what to do, instead of a stack trace", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = spawnSync(process.execPath, ["--import", "tsx", MAIN, "--port", String(port)], {
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(
        `Port ${port} on 127.0.0.1 is taken (another emulator, or \`npm start\`?). Stop it, or pass another --port (0 picks a free one).`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
