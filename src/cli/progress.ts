import { SingleBar } from "cli-progress";
import { type RunStats, recordsProcessed } from "../core/index.ts";

export interface ProgressReporter {
  update(stats: RunStats, stream: string): void;
  stop(): void;
}

function rate(stats: RunStats): number {
  return stats.durationMs > 0 ? Math.round((recordsProcessed(stats) * 1000) / stats.durationMs) : 0;
}

/**
 * A live bar on a terminal, plain lines (at most one a second) otherwise, nothing for --json.
 * Progress goes to stderr so stdout stays clean for results.
 */
export function createProgressReporter(mode: "tty" | "plain" | "silent"): ProgressReporter {
  if (mode === "silent") return { update() {}, stop() {} };
  if (mode === "plain") {
    let lastPrinted = 0;
    return {
      update(stats, stream) {
        if (Date.now() - lastPrinted < 1000) return;
        lastPrinted = Date.now();
        process.stderr.write(
          `${stream}: ${recordsProcessed(stats)} records, ${rate(stats)} records/s, ${stats.pages} pages, ${stats.retries} retries, ${stats.rateLimitWaits} rate-limit waits\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format:
      "{stream} {spinner} {records} records | {rate} records/s | {pages} pages | {retries} retries | {waits} rate-limit waits",
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  const spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let ticks = 0;
  bar.start(0, 0, { stream: "", spinner: spinner[0], records: 0, rate: 0, pages: 0, retries: 0, waits: 0 });
  return {
    update(stats, stream) {
      bar.update(0, {
        stream,
        spinner: spinner[ticks++ % spinner.length],
        records: recordsProcessed(stats),
        rate: rate(stats),
        pages: stats.pages,
        retries: stats.retries,
        waits: stats.rateLimitWaits,
      });
    },
    stop() {
      bar.stop();
    },
  };
}
