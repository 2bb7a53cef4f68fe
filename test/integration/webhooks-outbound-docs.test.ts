import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";

/** docs/webhooks.md's receiver is a real program: a signed event is handled once, a tampered one refused. */
it("docs/examples/webhook-receiver.ts verifies, de-duplicates and refuses a tampered body", () => {
  const result = spawnSync(process.execPath, ["--import", "tsx", "docs/examples/webhook-receiver.ts"], {
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout.trim()).toBe("statuses 204 204 400; handled: sync.completed evt_demo");
});
