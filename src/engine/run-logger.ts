import type { Kysely } from "kysely";
import type { LogLevel, RunLogger } from "../core/index.ts";
import { appendRunLogs, type Database, type RunLogLine } from "../store/index.ts";

/** Where log lines also go as they happen (a pino logger, a terminal); must not throw. */
export type LogSink = (line: RunLogLine) => void;

/**
 * A run's structured log: lines are numbered, buffered, and stored with the run on `flush()`.
 * The engine flushes at every commit and at the end, so stored logs follow committed progress.
 */
export class BufferedRunLogger implements RunLogger {
  private seq = 0;
  private buffer: RunLogLine[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    readonly runId: string,
    private readonly sink?: LogSink,
  ) {}

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    const line: RunLogLine = {
      runId: this.runId,
      seq: this.seq++,
      at: new Date().toISOString(),
      level,
      message,
      ...(fields ? { fields } : {}),
    };
    this.buffer.push(line);
    this.sink?.(line);
  }

  /** Stores the buffered lines. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const lines = this.buffer;
    this.buffer = [];
    await appendRunLogs(this.db, lines);
  }
}
