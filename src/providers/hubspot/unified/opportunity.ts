/** HubSpot deals as Merge's `Opportunity`, and the deal pipelines' stages as `Stage`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { int32Of, text, timestampOf } from "../../../unified/values.ts";
import { dealStagesStream } from "../pipelines.ts";
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
  // 2: objects carry their `remote_created_at` key (Merge's `remote_created_after` filter).
  version: "2",
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
 * Each stage of the deal pipelines (the `deal_stages` stream) as a `Stage`, named by its label. Its id is made
 * in the `stages` id space deals reference their `dealstage` in, so every opportunity's `stage` is one of these.
 */
export const hubspotStageMapper: UnifiedMapper = {
  provider: "hubspot",
  model: "Stage",
  stream: dealStagesStream.name,
  version: "2",
  fromRecord(record) {
    const id = recordId(record);
    const pipeline = text(record.pipelineId) ?? "default";
    return [
      {
        remoteId: id,
        idStream: STAGES_STREAM,
        remotePath: `/crm/v3/pipelines/deals/${encodeURIComponent(pipeline)}/stages/${encodeURIComponent(id)}`,
        fields: { name: text(record.label) ?? id },
      },
    ];
  },
};
