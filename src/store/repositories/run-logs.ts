import type { Kysely } from "kysely";
import type { LogLevel } from "../../core/index.ts";
import type { Database } from "../schema.ts";

export interface RunLogLine {
  runId: string;
  seq: number;
  at: string;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Appends log lines in one statement per chunk. */
export async function appendRunLogs(db: Kysely<Database>, lines: readonly RunLogLine[]): Promise<void> {
  // 6 columns per row: stay well under SQLite's bound-parameter limit.
  for (let start = 0; start < lines.length; start += 500) {
    await db
      .insertInto("run_logs")
      .values(
        lines.slice(start, start + 500).map((line) => ({
          run_id: line.runId,
          seq: line.seq,
          at: line.at,
          level: line.level,
          message: line.message,
          fields: line.fields ? JSON.stringify(line.fields) : null,
        })),
      )
      .execute();
  }
}

/** Pages through a run's log lines in order, at or above a minimum level. */
export async function listRunLogs(
  db: Kysely<Database>,
  runId: string,
  options: { minLevel?: LogLevel; afterSeq?: number; limit?: number } = {},
): Promise<RunLogLine[]> {
  const levels = (Object.keys(LEVEL_ORDER) as LogLevel[]).filter(
    (level) => LEVEL_ORDER[level] >= LEVEL_ORDER[options.minLevel ?? "debug"],
  );
  const rows = await db
    .selectFrom("run_logs")
    .selectAll()
    .where("run_id", "=", runId)
    .where("seq", ">", options.afterSeq ?? -1)
    .where("level", "in", levels)
    .orderBy("seq")
    .limit(options.limit ?? 1000)
    .execute();
  return rows.map((row) => ({
    runId: row.run_id,
    seq: row.seq,
    at: row.at,
    level: row.level as LogLevel,
    message: row.message,
    ...(row.fields ? { fields: JSON.parse(row.fields) as Record<string, unknown> } : {}),
  }));
}
