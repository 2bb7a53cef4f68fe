#!/usr/bin/env -S node --max-semi-space-size=4
// Runs the compiled CLI from dist/ (`npm run build` makes it). For the sources, use `npm run switchyard`.
// The flag caps V8's young generation at 2 x 4 MB (default 2 x 16): a sync's objects mostly die young, so
// this costs little time and saves ~25 MB (bench/sync-throughput). It can only be set when Node starts,
// so `npm start` passes it too; see src/process-tuning.ts for the settings made at run time.
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/index.js", import.meta.url);
if (!existsSync(entry)) {
  console.error("error: Switchyard is not built (dist/cli/index.js is missing). Run `npm run build` first.");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
