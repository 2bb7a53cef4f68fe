import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/index.ts";
import { RedisBudgetStore } from "./redis-store.ts";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("RedisBudgetStore", () => {
  it("fails an update with a clear ConfigError when Redis does not answer, without the URL's password", async () => {
    const store = new RedisBudgetStore({ url: `redis://:hunter2@127.0.0.1:${await closedPort()}/0` });
    try {
      const update = store.update("k", 1_000, () => ({ result: 1 }));
      await expect(update).rejects.toBeInstanceOf(ConfigError);
      await expect(update).rejects.toThrow(/Could not reach Redis/);
      await update.catch((error: ConfigError) => {
        expect(error.hint).toContain("REDIS_URL");
        expect(`${error.message} ${error.hint}`).not.toContain("hunter2");
      });
    } finally {
      await store.close();
    }
  }, 20_000);
});
