/**
 * The state of a declared stream, the same for every provider on the kit:
 *
 *   { highWater?, pass? }
 * - highWater: the incremental high-water mark (ISO-8601) of the last *finished* pass; the next incremental
 *   read starts there, minus the lookback. Absent: read everything.
 * - pass: the read under way, checkpointed after every page:
 *   { phase, next?, since?, startedAt, latest? }
 *   phase "records" reads the stream's endpoint, then "deleted" its deleted-records endpoint (if declared);
 *   next is the paginator's token of the page to read next (absent: the phase's first page); since is where
 *   this pass reads from (absent: everything); startedAt is when it started; latest the greatest cursor
 *   value seen so far. A pass's highWater becomes the stream's only once the whole pass has finished, so a
 *   crash never skips records.
 */
import { z } from "zod";
import { ConfigError, describeIssues, type StreamState } from "../../core/index.ts";

const isoTime = z.string().refine((value) => Number.isFinite(Date.parse(value)), "must be an ISO-8601 time");

const passSchema = z.strictObject({
  phase: z.enum(["records", "deleted"]),
  next: z.union([z.string().min(1), z.number()]).optional(),
  since: isoTime.optional(),
  startedAt: isoTime,
  latest: isoTime.optional(),
});

/** The zod schema of every declared stream's state (strict: a checkpoint of another stream kind fails). */
export const kitStateSchema = z.strictObject({
  highWater: isoTime.optional(),
  pass: passSchema.optional(),
});

export type KitState = z.infer<typeof kitStateSchema>;
export type Pass = z.infer<typeof passSchema>;

/** Reads a stored checkpoint; one this kit did not write is a ConfigError saying how to recover. */
export function parseKitState(stream: string, state: StreamState | undefined): KitState | undefined {
  return parseSavedState(kitStateSchema, stream, state);
}

/**
 * Reads a stored checkpoint with a stream's own state schema (hand-written streams keep theirs): one the
 * stream did not write is a ConfigError naming what is wrong and how to recover, never a cast.
 */
export function parseSavedState<S extends z.ZodType>(
  schema: S,
  stream: string,
  state: StreamState | undefined,
): z.output<S> | undefined {
  if (state === undefined) return undefined;
  const parsed = schema.safeParse(state);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    `The saved state of stream ${stream} is not a checkpoint this stream wrote (${describeIssues(parsed.error.issues)}).`,
    "Run a full refresh of the stream to start from a fresh state.",
    { stream },
  );
}

/** The state as JSON, leaving out absent parts. */
export function toStreamState(state: KitState): StreamState {
  const out: StreamState = {};
  if (state.highWater !== undefined) out.highWater = state.highWater;
  if (state.pass) {
    const pass: StreamState = { phase: state.pass.phase, startedAt: state.pass.startedAt };
    if (state.pass.next !== undefined) pass.next = state.pass.next;
    if (state.pass.since !== undefined) pass.since = state.pass.since;
    if (state.pass.latest !== undefined) pass.latest = state.pass.latest;
    out.pass = pass;
  }
  return out;
}
