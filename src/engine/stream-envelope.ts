import type { Kysely } from "kysely";
import { z } from "zod";
import { describeIssues, type JsonObject, StateInvalidError, type StreamState } from "../core/index.ts";
import { type Database, loadStreamState, saveStreamState } from "../store/index.ts";

/**
 * What the engine stores per stream around the stream's own opaque state:
 * the incremental cursor, and an unfinished full refresh (so a crash resumes it, deletions included).
 */
export interface StreamEnvelope {
  cursor: StreamState | null;
  fullRefresh: UnfinishedFullRefresh | null;
}

export interface UnfinishedFullRefresh {
  startedAt: string;
  cursor: StreamState | null;
  /** Asked for (`--full-refresh`), not chosen by the engine (first sync, no cursor field). Absent: false. */
  requested?: boolean;
}

const streamStateSchema = z.record(z.string(), z.json());

/** The envelope as stored; anything else in the row (a hand edit, another tool) is refused, not cast. */
const envelopeSchema = z.object({
  cursor: streamStateSchema.nullable(),
  fullRefresh: z
    .object({
      startedAt: z.iso.datetime({ offset: true }),
      cursor: streamStateSchema.nullable(),
      requested: z.boolean().optional(),
    })
    .nullable(),
});

/**
 * Reads a stream's envelope; a stream that never committed has neither cursor nor full refresh.
 * Throws StateInvalidError when the stored row is not an envelope.
 */
export async function loadEnvelope(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
): Promise<StreamEnvelope> {
  const stored = await loadStreamState(db, connectionId, stream);
  if (!stored) return { cursor: null, fullRefresh: null };
  const parsed = envelopeSchema.safeParse(stored);
  if (!parsed.success) throw new StateInvalidError(stream, describeIssues(parsed.error.issues, { max: 3 }));
  return parsed.data as StreamEnvelope;
}

export async function saveEnvelope(
  db: Kysely<Database>,
  connectionId: string,
  stream: string,
  envelope: StreamEnvelope,
): Promise<void> {
  await saveStreamState(db, connectionId, stream, envelope as unknown as JsonObject);
}

export interface ReadPlan {
  fullRefresh: boolean;
  /** State to hand the stream. */
  state: StreamState | undefined;
  /** The envelope to save before reading (a new full refresh is recorded before its first page). */
  envelope: StreamEnvelope;
}

/**
 * Decides how to read a stream: resume an unfinished full refresh; start one when forced, when nothing was
 * ever committed, or when the stream has no cursor; otherwise read incrementally from the cursor.
 */
export function planRead(
  envelope: StreamEnvelope,
  options: { forceFull: boolean; incremental: boolean },
): ReadPlan {
  if (envelope.fullRefresh) {
    const resumed = options.forceFull
      ? { ...envelope, fullRefresh: { ...envelope.fullRefresh, requested: true } }
      : envelope;
    return { fullRefresh: true, state: envelope.fullRefresh.cursor ?? undefined, envelope: resumed };
  }
  if (options.forceFull || !options.incremental || envelope.cursor === null) {
    return {
      fullRefresh: true,
      state: undefined,
      envelope: {
        ...envelope,
        fullRefresh: {
          startedAt: new Date().toISOString(),
          cursor: null,
          ...(options.forceFull ? { requested: true } : {}),
        },
      },
    };
  }
  return { fullRefresh: false, state: envelope.cursor, envelope };
}

/** The envelope after a committed page: the position moves in whichever mode is reading. */
export function advanceEnvelope(envelope: StreamEnvelope, state: StreamState): StreamEnvelope {
  if (envelope.fullRefresh) return { ...envelope, fullRefresh: { ...envelope.fullRefresh, cursor: state } };
  return { ...envelope, cursor: state };
}

/** The envelope once a full refresh has finished (its deletions applied): its last state becomes the cursor. */
export function completeFullRefresh(envelope: StreamEnvelope): StreamEnvelope {
  return { cursor: envelope.fullRefresh?.cursor ?? envelope.cursor, fullRefresh: null };
}
