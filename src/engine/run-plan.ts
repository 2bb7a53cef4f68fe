import type { Kysely } from "kysely";
import type { ProviderDefinition, StreamDefinition } from "../core/index.ts";
import { UnknownStreamError } from "../core/index.ts";
import type { Database } from "../store/index.ts";
import { loadEnvelope, planRead, type ReadPlan, saveEnvelope } from "./stream-envelope.ts";

/** How one stream of a run will be read. */
export interface StreamPlan {
  stream: StreamDefinition;
  read: ReadPlan;
}

/**
 * Plans every stream of a run before any is read (reads only). A full refresh that a killed run left
 * unfinished is resumed, whether or not this run asked for one (see planRead).
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
    const envelope = await loadEnvelope(db, input.connectionId, stream.name);
    const read = planRead(envelope, {
      forceFull: input.fullRefresh,
      incremental: stream.cursorField !== undefined,
    });
    plans.push({ stream, read });
  }
  return plans;
}

/**
 * Saves every planned envelope, so a full refresh is on record for each of its streams before the first
 * page is read: a run killed during its first stream resumes the full refresh for all of them.
 */
export async function recordPlans(
  db: Kysely<Database>,
  connectionId: string,
  plans: readonly StreamPlan[],
): Promise<void> {
  for (const plan of plans) await saveEnvelope(db, connectionId, plan.stream.name, plan.read.envelope);
}

/** A run is a full refresh (`runs.full_refresh`) when it carries out one that was asked for, now or by a killed run. */
export function isRequestedFullRefresh(plans: readonly StreamPlan[]): boolean {
  return plans.some((plan) => plan.read.envelope.fullRefresh?.requested === true);
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
