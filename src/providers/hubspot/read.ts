/**
 * Reading one CRM object: decide where to start (new full refresh, resume, or incremental cursor),
 * then run the phases in order, each page carrying the state that resumes right after it:
 *   full refresh:  [associations] → list → archived
 *   incremental:   [associations → reassociate] → changes → archived
 * The bracketed phases run for objects with company ids (contacts, deals): see association-check-phase.ts.
 */
import type { ReadContext, StreamPage } from "../../core/index.ts";
import { type Phase, runPhases } from "../kit/index.ts";
import { archivedPhase } from "./archived-phase.ts";
import { associationCheckPhase } from "./association-check-phase.ts";
import { changesPhase, latestModification } from "./changes-phase.ts";
import { listPhase } from "./list-phase.ts";
import type { CrmObject } from "./objects.ts";
import { fetchPropertyCatalog } from "./properties.ts";
import type { ObjectReader } from "./reader.ts";
import { reassociatePhase } from "./reassociate-phase.ts";
import { type HubSpotState, type Position, parseState, toStreamState } from "./state.ts";

/** The phases of one object's read, each continuing from the state it is given. */
const phasesOf = (reader: ObjectReader): Record<Position["phase"], Phase<HubSpotState>> => ({
  associations: (state) => associationCheckPhase(reader, state),
  reassociate: (state) => reassociatePhase(reader, state),
  list: (state) => listPhase(reader, state),
  changes: (state) => changesPhase(reader, state),
  archived: (state) => archivedPhase(reader, state),
});

/** Reads the object per ctx (mode, state, signal); the last page's state is a cursor with no position. */
export async function* readCrmObject(object: CrmObject, ctx: ReadContext): AsyncGenerator<StreamPage> {
  const saved = parseState(object.name, ctx.state);
  const reader: ObjectReader = { ctx, object, catalog: await fetchPropertyCatalog(ctx, object) };
  const state = await startingState(reader, saved);
  ctx.log.log("info", `hubspot ${object.name}: reading from ${state.position?.phase ?? "done"}`, {
    since: state.since,
    archivedSince: state.archivedSince,
    resumed: saved?.position !== undefined,
  });
  const phaseOf = (at: HubSpotState) => at.position?.phase;
  yield* runPhases(
    { stream: `hubspot ${object.name}`, phases: phasesOf(reader), phaseOf, toStreamState },
    state,
  );
}

/**
 * Where a read starts. A full refresh resumes its own list or archived position, else starts over with
 * `since` fixed at the latest modification time *before* listing, so changes made while listing are
 * picked up by the next incremental read. An incremental read resumes its position or starts at its cursor.
 * Either starts with the association check when the object has company ids.
 */
async function startingState(reader: ObjectReader, saved: HubSpotState | undefined): Promise<HubSpotState> {
  const { ctx, object } = reader;
  const phase = saved?.position?.phase;
  const resumable = phase && (!ctx.fullRefresh || phase === "list" || phase === "archived");
  if (saved && resumable) return saved;
  if (saved && !ctx.fullRefresh) {
    return { ...saved, position: { phase: object.withCompanyIds ? "associations" : "changes" } };
  }
  const position = { phase: object.withCompanyIds ? ("associations" as const) : ("list" as const) };
  // Records at exactly `since` that exist now are listed below, so the next incremental read skips them.
  return { ...(await latestModification(reader)), position };
}
