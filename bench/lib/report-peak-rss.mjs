/**
 * Preloaded into a measured process (`node --import`): when it exits, writes its peak resident memory in
 * MB (the kernel's high-water mark) to the file named by BENCH_PEAK_RSS_FILE. Lets a benchmark measure a
 * real command, such as the `switchyard` CLI, without changing it.
 */
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) {
  process.on("exit", () => writeFileSync(file, String(Math.round(process.resourceUsage().maxRSS / 1024))));
}
