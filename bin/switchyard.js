#!/usr/bin/env node
// Runs the compiled CLI from dist/ (`npm run build` makes it). For the sources, use `npm run switchyard`.
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/index.js", import.meta.url);
if (!existsSync(entry)) {
  console.error("error: Switchyard is not built (dist/cli/index.js is missing). Run `npm run build` first.");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
