import type { Kysely } from "kysely";
import type { ProviderDefinition, StreamDefinition } from "../core/index.ts";
import { describeIssues, StateInvalidError, UnknownStreamError } from "../core/index.ts";
import type { Database } from "../store/index.ts";
import {
  loadEnvelope,
  planRead,
  type ReadPlan,
  type StreamEnvelope,
  saveEnvelope,
} from "./stream-envelope.ts";

/** How one stream of a run will be read. */
export interface StreamPlan {
  stream: StreamDefinition;
  read: ReadPlan;
}

/**
 * Plans every stream of a run before any is read (reads only). A full refresh that a killed run left
 * unfinished is resumed, whether or not this run asked for one (see planRead). A checkpoint that does not
 * match its stream's `stateSchema` fails the run with StateInvalidError before anything is read.
 */
export async function planRun(
  db: Kysely<Database>,
  input: {
    provider: ProviderDefinition;
    connectionId: string;
    streams: readonly string[] | undefined;
    fullRefresh: boolean;
  },
): Promise<StreamPlan[]> {
  const plans: StreamPlan[] = [];
  for (const stream of selectStreams(input.provider, input.streams)) {
    const options = { forceFull: input.fullRefresh, incremental: stream.cursorField !== undefined };
    try {
      const read = planRead(await loadEnvelope(db, input.connectionId, stream.name), options);
      checkState(stream, read.state);
      plans.push({ stream, read });
    } catch (error) {
      // A full refresh is the way out of a bad checkpoint: it starts the stream over from nothing.
      if (!(error instanceof StateInvalidError && input.fullRefresh)) throw error;
      plans.push({ stream, read: planRead(NO_ENVELOPE, options) });
    }
  }
  return plans;
}

const NO_ENVELOPE: StreamEnvelope = { cursor: null, fullRefresh: null };

/**
 * Saves every planned envelope, so a full refresh is on record for each of its streams before the first
 * page is read: a run killed during its first stream resumes the full refresh for all of them. A stream
 * without a cursor is read whole by every run anyway: its routine full refresh goes on record with its first
 * page, so a run that fails before reaching it leaves its committed state as it was.
 */
export async function recordPlans(
  db: Kysely<Database>,
  connectionId: string,
  plans: readonly StreamPlan[],
): Promise<void> {
  for (const plan of plans) {
    const routine =
      plan.stream.cursorField === undefined && plan.read.envelope.fullRefresh?.requested !== true;
    if (!routine) await saveEnvelope(db, connectionId, plan.stream.name, plan.read.envelope);
  }
}

/** A run is a full refresh (`runs.full_refresh`) when it carries out one that was asked for, now or by a killed run. */
export function isRequestedFullRefresh(plans: readonly StreamPlan[]): boolean {
  return plans.some((plan) => plan.read.envelope.fullRefresh?.requested === true);
}

/** A stream's checkpoint must have the shape the stream declares; an undeclared shape stays opaque. */
function checkState(stream: StreamDefinition, state: unknown): void {
  if (state === undefined || !stream.stateSchema) return;
  const parsed = stream.stateSchema.safeParse(state);
  if (!parsed.success)
    throw new StateInvalidError(stream.name, describeIssues(parsed.error.issues, { max: 3 }));
}

function selectStreams(
  provider: ProviderDefinition,
  names: readonly string[] | undefined,
): StreamDefinition[] {
  if (!names || names.length === 0) return [...provider.streams];
  return names.map((name) => {
    const stream = provider.streams.find((s) => s.name === name);
    if (!stream)
      throw new UnknownStreamError(
        provider.name,
        name,
        provider.streams.map((s) => s.name),
      );
    return stream;
  });
}
