/** HubSpot deals as Merge's `Opportunity`, and the deal stages seen on them as `Stage`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { int32Of, text, timestampOf } from "../../../unified/values.ts";
import { accountRef, ownerRef, STAGES_STREAM } from "./references.ts";
import { recordId } from "./values.ts";

/**
 * OPEN, WON or LOST: the default pipeline's `closedwon` / `closedlost` stages, else HubSpot's
 * `hs_is_closed_won` / `hs_is_closed` flags (custom pipelines' stages have numeric ids).
 */
export function dealStatus(record: Readonly<Record<string, unknown>>): "OPEN" | "WON" | "LOST" {
  const stage = text(record.dealstage);
  if (stage === "closedwon" || String(record.hs_is_closed_won) === "true") return "WON";
  if (stage === "closedlost" || String(record.hs_is_closed) === "true") return "LOST";
  return "OPEN";
}

export const hubspotOpportunityMapper: UnifiedMapper = {
  provider: "hubspot",
  model: "Opportunity",
  stream: "deals",
  version: "1",
  fromRecord(record, ctx) {
    const id = recordId(record);
    const stage = text(record.dealstage);
    return [
      {
        remoteId: id,
        idStream: "deals",
        remotePath: `/crm/v3/objects/deals/${id}`,
        fields: {
          name: text(record.dealname),
          description: text(record.description),
          amount: int32Of(record.amount),
          owner: ownerRef(record, ctx),
          account: accountRef(record, ctx),
          stage: stage === null ? null : ctx.idOf(STAGES_STREAM, stage),
          status: dealStatus(record),
          last_activity_at: timestampOf(record.notes_last_updated),
          close_date: timestampOf(record.closedate),
          remote_created_at: timestampOf(record.createdAt),
        },
      },
    ];
  },
};

/**
 * Each deal stage seen on a deal, named by its id (`appointmentscheduled`): HubSpot's pipelines API, which
 * holds the stages' labels, is not synced yet.
 */
export const hubspotStageMapper: UnifiedMapper = {
  provider: "hubspot",
  model: "Stage",
  stream: "deals",
  version: "1",
  fromRecord(record) {
    const stage = text(record.dealstage);
    if (stage === null) return [];
    const pipeline = text(record.pipeline) ?? "default";
    return [
      {
        remoteId: stage,
        idStream: STAGES_STREAM,
        remotePath: `/crm/v3/pipelines/deals/${pipeline}/stages/${stage}`,
        fields: { name: stage },
        derived: true,
      },
    ];
  },
};
