/** Pipedrive deals (API v2) as Merge's `Opportunity`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { int32Of, recordId, refTo, text, timestampOf } from "./references.ts";

/** `open`, `won`, `lost` as Merge's status; a deleted deal (`deleted`) keeps none. */
const STATUS: Record<string, "OPEN" | "WON" | "LOST"> = { open: "OPEN", won: "WON", lost: "LOST" };

export const pipedriveOpportunityMapper: UnifiedMapper = {
  provider: "pipedrive",
  model: "Opportunity",
  stream: "deals",
  // 2: objects carry their `remote_created_at` key (Merge's `remote_created_after` filter).
  version: "2",
  fromRecord(record, ctx) {
    const id = recordId(record);
    return [
      {
        remoteId: id,
        idStream: "deals",
        remotePath: `/api/v2/deals/${id}`,
        fields: {
          name: text(record.title),
          description: null,
          // `value` in the deal's currency, rounded to whole units (Merge's integer field).
          amount: int32Of(record.value),
          owner: refTo("users", record.owner_id, ctx),
          account: refTo("organizations", record.org_id, ctx),
          stage: refTo("stages", record.stage_id, ctx),
          status: STATUS[String(record.status)] ?? null,
          last_activity_at: timestampOf(record.last_activity_date),
          close_date: timestampOf(record.expected_close_date),
          remote_created_at: timestampOf(record.add_time),
        },
      },
    ];
  },
};
