/** Salesforce Users as Merge's `User`, and OpportunityStages as `Stage`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { idAndPath, text } from "./references.ts";

export const salesforceUserMapper: UnifiedMapper = {
  provider: "salesforce",
  model: "User",
  stream: "users",
  version: "1",
  fromRecord(record) {
    return [
      {
        ...idAndPath("User", record),
        idStream: "users",
        fields: {
          name: text(record.Name),
          email: text(record.Email),
          is_active: typeof record.IsActive === "boolean" ? record.IsActive : null,
        },
      },
    ];
  },
};

/**
 * A stage's remote id is its ApiName, the stream's key: an Opportunity names its stage only by StageName (a
 * picklist value, the stage's ApiName), and a reference is computed from what the record holds.
 */
export const salesforceStageMapper: UnifiedMapper = {
  provider: "salesforce",
  model: "Stage",
  stream: "stages",
  version: "1",
  fromRecord(record) {
    const { remotePath } = idAndPath("OpportunityStage", record);
    const apiName = text(record.ApiName);
    if (apiName === null) throw new Error("A cached Salesforce OpportunityStage has no ApiName.");
    return [
      {
        remoteId: apiName,
        idStream: "stages",
        remotePath,
        fields: { name: text(record.MasterLabel) ?? apiName },
      },
    ];
  },
};
