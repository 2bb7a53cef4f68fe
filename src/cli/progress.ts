import { SingleBar } from "cli-progress";
import { type RunStats, recordsProcessed } from "../core/index.ts";

export interface ProgressReporter {
  update(stats: RunStats, stream: string): void;
  stop(): void;
}

/** What one progress line shows: the current stream's own record count, and the run's counters. */
interface ProgressLine {
  stream: string;
  /** Records of this stream alone, not the run's running total. */
  records: number;
  rate: number;
  pages: number;
  retries: number;
  waits: number;
}

/**
 * Turns the run's cumulative stats into per-stream lines. Streams run one after another and every commit
 * reports, so the total last seen under the previous stream is where the current stream's count starts.
 */
function perStreamCounter(): (stats: RunStats, stream: string) => ProgressLine {
  let currentStream: string | undefined;
  let streamStart = 0;
  let lastTotal = 0;
  return (stats, stream) => {
    const total = recordsProcessed(stats);
    if (stream !== currentStream) {
      currentStream = stream;
      streamStart = lastTotal;
    }
    lastTotal = total;
    return {
      stream,
      records: total - streamStart,
      rate: stats.durationMs > 0 ? Math.round((total * 1000) / stats.durationMs) : 0,
      pages: stats.pages,
      retries: stats.retries,
      waits: stats.rateLimitWaits,
    };
  };
}

function plainLine(line: ProgressLine): string {
  return `${line.stream}: ${line.records} records, ${line.rate} records/s, ${line.pages} pages, ${line.retries} retries, ${line.waits} rate-limit waits\n`;
}

/**
 * A live bar on a terminal, plain lines otherwise, nothing for --json. Plain lines come at most once a
 * second, plus each stream's last line when it ends, so every stream's final count is printed.
 * Progress goes to stderr so stdout stays clean for results.
 */
export function createProgressReporter(mode: "tty" | "plain" | "silent"): ProgressReporter {
  if (mode === "silent") return { update() {}, stop() {} };
  const count = perStreamCounter();
  if (mode === "plain") {
    let lastPrinted = 0;
    let unprinted: ProgressLine | undefined;
    const print = (line: ProgressLine) => {
      lastPrinted = Date.now();
      unprinted = undefined;
      process.stderr.write(plainLine(line));
    };
    return {
      update(stats, stream) {
        if (!stream) return; // before the first stream starts
        if (unprinted && unprinted.stream !== stream) print(unprinted);
        const line = count(stats, stream);
        if (Date.now() - lastPrinted < 1000) unprinted = line;
        else print(line);
      },
      stop() {
        if (unprinted) print(unprinted);
      },
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
      bar.update(0, { ...count(stats, stream), spinner: spinner[ticks++ % spinner.length] });
    },
    stop() {
      bar.stop();
    },
  };
}
