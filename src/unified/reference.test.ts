import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderModelReference } from "./reference.ts";
import { unifiedModels } from "./registry.ts";

const committed = readFileSync(new URL("../../docs/unified-models.md", import.meta.url), "utf8");

describe("docs/unified-models.md", () => {
  it("is exactly what print-reference.ts prints (regenerate it after changing a schema)", () => {
    expect(committed).toBe(renderModelReference());
  });

  it("has a section, with a row per field, for every model", () => {
    const reference = renderModelReference();
    for (const model of unifiedModels) {
      expect(reference).toContain(`\n### ${model.name}\n`);
      for (const field of Object.keys(model.schema.shape)) expect(reference).toContain(`| \`${field}\` |`);
    }
  });

  it("links only to sections it has", () => {
    const reference = renderModelReference();
    const headings = new Set(
      [...reference.matchAll(/^### (\w+)$/gm)].map((match) => match[1]?.toLowerCase()),
    );
    const links = [...reference.matchAll(/\]\(#(\w+)\)/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThan(20);
    expect(links.filter((link) => !headings.has(link))).toEqual([]);
  });
});
