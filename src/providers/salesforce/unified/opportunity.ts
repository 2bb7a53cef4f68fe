/** Salesforce Opportunities as Merge's `Opportunity`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { idAndPath, int32Of, refTo, text, timestampOf } from "./references.ts";

/** OPEN until the stage closes the opportunity (IsClosed); then WON or LOST by IsWon. */
export function opportunityStatus(record: Readonly<Record<string, unknown>>): "OPEN" | "WON" | "LOST" {
  if (record.IsClosed !== true) return "OPEN";
  return record.IsWon === true ? "WON" : "LOST";
}

export const salesforceOpportunityMapper: UnifiedMapper = {
  provider: "salesforce",
  model: "Opportunity",
  stream: "opportunities",
  // 2: objects carry their `remote_created_at` key (Merge's `remote_created_after` filter).
  version: "2",
  fromRecord(record, ctx) {
    return [
      {
        ...idAndPath("Opportunity", record),
        idStream: "opportunities",
        fields: {
          name: text(record.Name),
          description: text(record.Description),
          amount: int32Of(record.Amount),
          owner: refTo("users", record.OwnerId, ctx),
          account: refTo("accounts", record.AccountId, ctx),
          // StageName holds the stage's ApiName, which is the Stage's remote id (see user-and-stage.ts).
          stage: refTo("stages", record.StageName, ctx),
          status: opportunityStatus(record),
          last_activity_at: timestampOf(record.LastActivityDate),
          close_date: timestampOf(record.CloseDate),
          remote_created_at: timestampOf(record.CreatedDate),
        },
      },
    ];
  },
};
