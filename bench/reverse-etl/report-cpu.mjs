/**
 * Preloaded into a measured process (`node --import`, beside bench/lib/report-peak-rss.mjs): when it exits,
 * writes the CPU time it used (user + system, in seconds) to the file named by BENCH_CPU_FILE. On a loaded
 * machine CPU time says more than wall time about the work a run did.
 */
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_CPU_FILE;
if (file) {
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(file, String((user + system) / 1e6));
  });
}
