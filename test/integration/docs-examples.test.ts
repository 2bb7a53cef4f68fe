import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** The code examples in docs/ are real programs: each must run to completion. */
describe("docs/examples", () => {
  it("run-sync.ts syncs the emulator into DuckDB and prints rows", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "docs/examples/run-sync.ts"], {
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^succeeded/);
    expect(result.stdout).toMatch(/email: '[^']+@/);
  });

  it("minimal-provider.ts declares a provider, syncs it, then syncs the one change incrementally", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "docs/examples/minimal-provider.ts"], {
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe("succeeded 120 added; succeeded 1 updated");
  });
});
