import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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

/** Every Markdown page under docs/, by its path. */
function docPages(dir = "docs"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return docPages(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

describe("docs snippets", () => {
  it("quote their source file word for word (`<!-- snippet: path -->` before a code block)", () => {
    const snippets = docPages().flatMap((page) =>
      [...readFileSync(page, "utf8").matchAll(/<!-- snippet: (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map(
        (match) => ({ page, source: match[1]!, code: match[2]! }),
      ),
    );
    expect(snippets.length).toBeGreaterThan(0);
    const stale = snippets
      .filter(({ source, code }) => !readFileSync(source, "utf8").includes(code.trimEnd()))
      .map(
        ({ page, source, code }) => `${page}: not in ${source}:\n${code.split("\n").slice(0, 3).join("\n")}`,
      );
    expect(stale).toEqual([]);
  });
});
