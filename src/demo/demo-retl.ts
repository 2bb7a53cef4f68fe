/**
 * `npm start`'s reverse-ETL sync (docs/reverse-etl.md): a model on the demo warehouse picks the HubSpot
 * contacts whose HubSpot score is low, and a sync marks them `UNQUALIFIED` (Lead Status) in the demo HubSpot
 * account, through HubSpot's batch update, once at start and every minute. As the demo emulator's data
 * changes and the HubSpot sync brings it into the warehouse, each run sends only the rows whose diff says so.
 *
 * The model is saved once the HubSpot demo sync has succeeded (its rows are in the warehouse's
 * `hubspot_contacts`), so on a first start it waits for that in the background. Later starts keep the model and sync as the API may have
 * changed them, and only ask for a run.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createModel, getModel, type Model } from "../app/reverse-etl/models.ts";
import type { RunDeps } from "../app/reverse-etl/run.ts";
import { enqueueReverseEtlRun } from "../app/reverse-etl/schedule.ts";
import { createReverseEtlSync, listReverseEtlSyncs } from "../app/reverse-etl/syncs.ts";
import { NotFoundError, SwitchyardError } from "../core/index.ts";
import { syncInput } from "../flows/reverse-etl/definitions.ts";
import type { JobQueue } from "../scheduler/jobs.ts";
import { type ConnectionRow, listRuns } from "../store/index.ts";

export const DEMO_RETL_MODEL = "demo_low_score_contacts";
const SCORE_BELOW = 20;
/** How long a first start waits for the HubSpot demo sync's first success (its warehouse table). */
const TABLE_WAIT_MS = 10 * 60_000;

/**
 * Starts saving (if new) and running the demo sync in the background; undefined without a HubSpot demo
 * connection or a warehouse. `done` resolves when that work ended (or `signal` stopped it).
 */
export function startDemoRetl(
  deps: RunDeps,
  connections: readonly ConnectionRow[],
  options: { jobs: JobQueue; signal: AbortSignal; onError: (error: unknown) => void },
): { banner: string; done: Promise<void> } | undefined {
  const hubspot = connections.find((c) => c.provider === "hubspot");
  if (!hubspot || !deps.warehouse) return undefined;
  const done = (async () => {
    const model = await demoModel(deps, hubspot, options.signal);
    if (!model) return;
    const syncId = await demoSync(deps, hubspot, model);
    await enqueueReverseEtlRun(options.jobs, hubspot.environment_id, syncId);
  })().catch(options.onError);
  return {
    banner:
      `model ${DEMO_RETL_MODEL} (HubSpot contacts scoring under ${SCORE_BELOW}) into HubSpot, Lead Status UNQUALIFIED, ` +
      "at start and every minute; npm run switchyard -- retl syncs",
    done,
  };
}

/** The demo model, saved once the HubSpot demo sync has filled the warehouse; undefined when stopped first. */
async function demoModel(
  deps: RunDeps,
  hubspot: ConnectionRow,
  signal: AbortSignal,
): Promise<Model | undefined> {
  const existing = await getModel(deps, hubspot.environment_id, DEMO_RETL_MODEL).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (existing) return existing;
  const deadline = Date.now() + TABLE_WAIT_MS;
  while (
    (await listRuns(deps.db, { connectionId: hubspot.id, status: "succeeded", limit: 1 })).length === 0
  ) {
    if (Date.now() > deadline)
      throw new SwitchyardError("not_found", "The HubSpot demo sync has not succeeded yet.", {
        hint: `Look at its runs (npm run switchyard -- runs); the ${DEMO_RETL_MODEL} model is saved after its first success, at the next start.`,
      });
    await sleep(1_000, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return undefined;
  }
  for (;;) {
    try {
      return await createModel(deps, hubspot.environment_id, {
        name: DEMO_RETL_MODEL,
        primary_key: "id",
        sql:
          "SELECT id, 'UNQUALIFIED' AS lead_status FROM hubspot_contacts " +
          `WHERE NOT _deleted AND TRY_CAST(hubspotscore AS DOUBLE) < ${SCORE_BELOW} ORDER BY id`,
      });
    } catch (error) {
      // Its check on the warehouse can run out of time on a busy machine: tried again until the deadline.
      if (!(error instanceof SwitchyardError) || Date.now() > deadline) throw error;
    }
    await sleep(5_000, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return undefined;
  }
}

/** The demo sync's id: the one of this model into the HubSpot connection, else a new one. */
async function demoSync(deps: RunDeps, hubspot: ConnectionRow, model: Model): Promise<string> {
  const syncs = await listReverseEtlSyncs(deps, hubspot.environment_id);
  const existing = syncs.find((s) => s.model_id === model.id && s.connection_id === hubspot.id);
  if (existing) return existing.id;
  const created = await createReverseEtlSync(
    deps,
    hubspot.environment_id,
    syncInput.parse({
      model_id: model.id,
      connection_id: hubspot.id,
      target: { type: "actions", create: "create_contact", update: "update_contact" },
      mode: "update",
      match: { by: "external_id", column: "id" },
      mapping: [{ column: "lead_status", field: "properties.hs_lead_status" }],
      frequency: "1m",
    }),
  );
  return created.id;
}
