import { describe, expect, it } from "vitest";
import { Started } from "./started.ts";

describe("Started", () => {
  it("stops everything, last started first, even when one fails to stop", async () => {
    const stopped: string[] = [];
    const errors: string[] = [];
    const started = new Started((what, error) => errors.push(`${what}: ${(error as Error).message}`));
    started.add("store", async () => stopped.push("store"));
    started.add("queue", async () => {
      throw new Error("already gone");
    });
    started.loop("dispatcher", async (signal) => {
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      stopped.push("dispatcher");
    });
    await started.stopAll();
    expect(stopped).toEqual(["dispatcher", "store"]);
    expect(errors).toEqual(["queue: already gone"]);
    // Nothing is stopped twice.
    await started.stopAll();
    expect(stopped).toEqual(["dispatcher", "store"]);
  });

  it("stops what a failed start-up had started, then throws its error", async () => {
    const stopped: string[] = [];
    const started = new Started();
    const startUp = started.starting(async () => {
      started.add("first queue", async () => stopped.push("first queue"));
      throw new Error("too many clients already");
    });
    await expect(startUp).rejects.toThrow("too many clients already");
    expect(stopped).toEqual(["first queue"]);
  });

  it("reports a loop that fails instead of leaving its rejection unhandled", async () => {
    const errors: string[] = [];
    const started = new Started((what, error) => errors.push(`${what}: ${(error as Error).message}`));
    started.loop("flows", async () => {
      throw new Error("no queue");
    });
    await started.stopAll();
    expect(errors).toEqual(["flows: no queue"]);
  });
});
