import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DUCKDB_ALLOCATOR_CONFIG } from "./process-tuning.ts";

const MODULE = fileURLToPath(new URL("./process-tuning.ts", import.meta.url));

/** What a fresh process that imports the module sees in DUCKDB_JE_MALLOC_CONF. */
function allocatorConfigInChild(env: NodeJS.ProcessEnv): string {
  const script = `await import(${JSON.stringify(MODULE)}); process.stdout.write(process.env.DUCKDB_JE_MALLOC_CONF ?? "(unset)");`;
  return execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env,
    encoding: "utf8",
  });
}

describe("process tuning", () => {
  it("configures DuckDB's allocator for the process", () => {
    const { DUCKDB_JE_MALLOC_CONF: _ignored, ...env } = process.env;
    expect(allocatorConfigInChild(env)).toBe(DUCKDB_ALLOCATOR_CONFIG);
  });

  it("keeps an allocator configuration the user set", () => {
    expect(allocatorConfigInChild({ ...process.env, DUCKDB_JE_MALLOC_CONF: "narenas:1" })).toBe("narenas:1");
  });
});
