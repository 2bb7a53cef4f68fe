/** The scheduler room stands on its own: no import of src/app (app imports the scheduler, not back). */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const here = new URL("./", import.meta.url);
const src = new URL("../", import.meta.url);

function sourcesUnder(dir: URL): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.includes("test-fixtures"))
    .map((name) => ({ path: name, text: readFileSync(new URL(name, dir), "utf8") }));
}

describe("structure", () => {
  it("the scheduler imports nothing of src/app, so there is no app → scheduler → app loop", () => {
    const offenders = sourcesUnder(here).filter(({ text }) => /from "\.\.\/app\//.test(text));
    expect(offenders.map(({ path }) => path)).toEqual([]);
  });

  it("providers are looked up by one function", () => {
    const lookups = sourcesUnder(src).flatMap(({ path, text }) =>
      [...text.matchAll(/export function (\w+)\(\s*providers?\b[^)]*\bname: string/g)].map(
        (match) => `${path}: ${match[1]}`,
      ),
    );
    const byName = sourcesUnder(src).flatMap(({ path, text }) =>
      /export function getProvider\(/.test(text) ? [`${path}: getProvider`] : [],
    );
    expect([...lookups, ...byName]).toEqual(["core/providers.ts: findProvider"]);
  });
});
