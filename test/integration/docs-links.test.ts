import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Every Markdown file of the project (not dependencies or build output). */
function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") || entry.name === "node_modules" || entry.name === "dist") return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

/**
 * The local files a Markdown file points at: link targets `](path)` and code spans naming a `.md` file by a
 * relative path (`../x/Y.md`), which a reader follows just the same.
 */
function localReferences(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  const spans = [...markdown.matchAll(/`(\.{1,2}\/[^`\s]+\.md)`/g)].map((m) => m[1]!);
  return [...links, ...spans]
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("#"))
    .map((target) => decodeURIComponent(target.split("#")[0]!))
    .filter(Boolean);
}

describe("the project's documentation", () => {
  it("points only at files inside the repository, and they exist", () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      for (const target of localReferences(readFileSync(file, "utf8"))) {
        const path = resolve(dirname(file), target);
        const inside = path === ROOT.slice(0, -1) || path.startsWith(ROOT) || `${path}${sep}` === ROOT;
        if (!inside || !existsSync(path)) broken.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("has its own architecture page, linked from the README", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(localReferences(readme)).toContain("docs/architecture.md");
    const architecture = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
    for (const heading of [
      "## Vocabulary",
      "## Data flow",
      "## Layout",
      "## Guarantees",
      "## Where the code differs",
    ]) {
      expect(architecture).toContain(heading);
    }
  });
});
