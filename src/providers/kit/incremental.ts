/**
 * The incremental cursor: which record field it follows, which request parameter takes it and in what
 * format, and how far back each read looks (lookback re-reads a window, for late-visible changes and
 * clock skew between us and the provider).
 */
import { z } from "zod";
import { RecordInvalidError, type SyncRecord } from "../../core/index.ts";
import { getPath } from "../../http/json-path.ts";
import { type CursorFormat, cursorFormatSchema, formatCursor, parseCursorValue } from "./cursor-format.ts";

export const incrementalSpecSchema = z.strictObject({
  /** Record field holding the last-modification time (`update_time`); a dot path for nested fields. */
  cursorField: z.string().min(1),
  /** Request parameter that takes the cursor (`updated_since`). */
  param: z.string().min(1),
  in: z.enum(["query", "body"]).default("query"),
  /** How the parameter takes it. */
  format: cursorFormatSchema,
  /** How records write the cursor field, when it differs from `format` (only matters for bare numbers). */
  fieldFormat: cursorFormatSchema.optional(),
  /** Each incremental read starts this many seconds before the high-water mark. Default 0. */
  lookbackSeconds: z.number().int().min(0).default(0),
});

export type IncrementalSpec = z.input<typeof incrementalSpecSchema>;
export type ParsedIncrementalSpec = z.output<typeof incrementalSpecSchema>;

/** The cursor parameter for a read starting at `since` (ISO-8601), formatted as the API takes it. */
export function cursorParam(spec: ParsedIncrementalSpec, since: string): Record<string, string | number> {
  return { [spec.param]: formatCursor(Date.parse(since), spec.format) };
}

/**
 * The latest cursor value among `records` and `latest` (epoch ms, or undefined for none yet). A record
 * without a cursor value is skipped; one whose value is not a time is a RecordInvalidError, because a
 * misread cursor would silently skip changes next time.
 */
export function latestCursor(
  spec: ParsedIncrementalSpec,
  stream: string,
  records: readonly SyncRecord[],
  latest: number | undefined,
): number | undefined {
  const format: CursorFormat = spec.fieldFormat ?? spec.format;
  let max = latest;
  for (const record of records) {
    const raw = getPath(record, spec.cursorField);
    const ms = parseCursorValue(raw, format);
    if (ms === null) continue;
    if (!Number.isFinite(ms)) {
      throw new RecordInvalidError(
        stream,
        `the cursor field "${spec.cursorField}" holds ${JSON.stringify(raw)}, which is not a date or time`,
        { cursorField: spec.cursorField },
      );
    }
    if (max === undefined || ms > max) max = ms;
  }
  return max;
}
