import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const APP = fileURLToPath(new URL(".", import.meta.url));

/** Every .ts file under a folder, relative to it. */
function sources(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return sources(join(dir, entry.name), `${prefix}${entry.name}/`);
    return entry.name.endsWith(".ts") ? [`${prefix}${entry.name}`] : [];
  });
}

describe("src/app is split by concept", () => {
  it("keeps use cases in one folder per concept, with only the shared wiring at its root", () => {
    const rootFiles = readdirSync(APP, { withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith(".test.ts"))
      .map((entry) => entry.name)
      .sort();
    expect(rootFiles).toEqual(["platform.ts", "provider-settings.ts", "workspace.ts"]);
    const folders = readdirSync(APP, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders).toEqual(expect.arrayContaining(["api-keys", "connect", "connections", "syncs"]));
  });

  it("has no module imported for its side effects: process tuning belongs to the entry points", () => {
    const sideEffectImports = sources(APP).filter((file) =>
      /^import\s+["'][^"']+["'];/m.test(readFileSync(join(APP, file), "utf8")),
    );
    expect(sideEffectImports).toEqual([]);
  });
});
