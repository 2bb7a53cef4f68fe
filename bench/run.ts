/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` runs one. Each prints JSON lines with a
 * `bench` field. Benchmarks live in bench/<name>/index.ts and export `run()`.
 */
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const available = readdirSync(benchDir).filter(
  (name) => name !== "lib" && statSync(new URL(`./${name}`, import.meta.url)).isDirectory(),
);
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark(s): ${unknown.join(", ")}. Available: ${available.join(", ")}\n`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : available) {
  const module = (await import(`./${name}/index.ts`)) as { run: () => Promise<void> };
  await module.run();
}
