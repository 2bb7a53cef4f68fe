import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** The kit's reference (docs/provider-kit.md) shows this program: it must run and sync as it says. */
describe("docs/examples/declared-provider.ts", () => {
  it("declares a provider, syncs it, then syncs one change and one deletion incrementally", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "docs/examples/declared-provider.ts"], {
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    const [summary, grace] = result.stdout.trim().split("\n");
    expect(summary).toBe("succeeded 60 added; succeeded 1 updated 1 deleted");
    expect(JSON.parse(grace ?? "null")).toMatchObject({
      id: "C-7",
      name: "Grace",
      deal_budget: 70,
      _deleted: false,
    });
  });
});
