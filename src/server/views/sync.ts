/** How syncs and their per-stream status look in the API, and the shapes of sync input. */
import { z } from "zod";
import { isSyncRunning, STREAM_SYNC_STATUSES, type StreamStatus } from "../../app/syncs/status.ts";
import { SwitchyardError } from "../../core/index.ts";
import { formatInTimeZone, parseFrequency, parseTimeZone } from "../../scheduler/index.ts";
import type { Sync } from "../../store/index.ts";
import { errorSummary, timestamp } from "../schemas.ts";

/** A string checked by `check`, whose argument_invalid error becomes the field's message. */
function checkedString(max: number, check: (value: string) => unknown) {
  return z
    .string()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      try {
        check(value);
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          message: error instanceof SwitchyardError ? error.describe() : String(error),
        });
      }
    });
}

/** A frequency, checked the way the scheduler reads it: the error says what is wrong and what to write. */
export const frequencyInput = checkedString(100, (value) => parseFrequency(value)).describe(
  "An interval of at least 30 s (`30s`, `15m`, `1h`, `1h30m`, `1d`) or a 5-field cron expression (`*/15 * * * *`, `0 9 * * MON-FRI`, `@daily`), read in `time_zone`.",
);

/** An IANA time zone; the error names the value and gives examples. */
export const timeZoneInput = checkedString(100, parseTimeZone).describe(
  "IANA time zone in which a cron `frequency` is read, daylight saving included (`Europe/Paris`, `America/New_York`); null or left out is UTC.",
);

export const streamsInput = z
  .array(z.string().min(1).max(100))
  .min(1)
  .max(100)
  .describe("Stream names of the connection's provider (`GET /v1/providers` lists them).");

export const destinationsInput = z
  .strictObject({
    warehouse: z
      .boolean()
      .optional()
      .describe("Also write the DuckDB warehouse (the records cache is always written)."),
  })
  .meta({ id: "SyncDestinationsInput" });

export const syncSchema = z
  .object({
    id: z.string(),
    connection_id: z.string(),
    streams: z.array(z.string()),
    frequency: z.string(),
    time_zone: z.string().nullable().describe("IANA time zone of the cron expression; null is UTC."),
    enabled: z.boolean().describe("False while the sync is paused."),
    destinations: z.object({ records_cache: z.literal(true), warehouse: z.boolean() }),
    next_run_at: timestamp.nullable().describe("When the schedule runs the sync next (UTC)."),
    next_run_at_local: z
      .string()
      .nullable()
      .describe("`next_run_at` as local time in `time_zone`, with its offset (`2025-06-02T09:00:00-04:00`)."),
    last_run_id: z.string().nullable(),
    run_requested: z
      .object({ at: timestamp, full_refresh: z.boolean() })
      .nullable()
      .describe("A triggered run that has not started yet."),
    running_since: timestamp.nullable().describe("When the run going on now was claimed; null when idle."),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Sync" });

export const streamStatusSchema = z
  .object({
    sync_id: z.string(),
    stream: z.string(),
    status: z
      .enum(STREAM_SYNC_STATUSES)
      .describe(
        "`syncing`: in the run going on now. `done` / `failed`: how its last run ended. `paused`: the sync " +
          "is paused or its connection is paused or needs re-authorisation. `pending`: not synced yet.",
      ),
    last_started_at: timestamp.nullable(),
    last_finished_at: timestamp.nullable(),
    last_result: z.enum(["succeeded", "failed"]).nullable(),
    last_run_id: z.string().nullable(),
    last_error: errorSummary.nullable(),
    next_start_at: timestamp.nullable().describe("Null while paused."),
  })
  .meta({ id: "StreamSyncStatus" });

/** The API view of a sync at `now`. */
export function syncView(sync: Sync, now = new Date()): z.input<typeof syncSchema> {
  return {
    id: sync.id,
    connection_id: sync.connectionId,
    streams: sync.streams,
    frequency: sync.frequency,
    time_zone: sync.timeZone,
    enabled: sync.enabled,
    destinations: { records_cache: true, warehouse: sync.warehouse },
    next_run_at: sync.nextRunAt,
    next_run_at_local:
      sync.nextRunAt === null ? null : formatInTimeZone(new Date(sync.nextRunAt), sync.timeZone ?? "UTC"),
    last_run_id: sync.lastRunId,
    run_requested: sync.requested
      ? { at: sync.requested.at, full_refresh: sync.requested.fullRefresh }
      : null,
    running_since: isSyncRunning(sync, now) ? (sync.lease?.since ?? null) : null,
    created_at: sync.createdAt,
    updated_at: sync.updatedAt,
  };
}

/** The API view of one stream's status. */
export function streamStatusView(status: StreamStatus): z.input<typeof streamStatusSchema> {
  return {
    sync_id: status.syncId,
    stream: status.stream,
    status: status.status,
    last_started_at: status.lastStartedAt,
    last_finished_at: status.lastFinishedAt,
    last_result: status.lastResult,
    last_run_id: status.lastRunId,
    last_error: status.lastError,
    next_start_at: status.nextStartAt,
  };
}
