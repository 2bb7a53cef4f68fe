/** Pipedrive users (API v1) as Merge's `User`, and pipeline stages (API v2) as `Stage`. */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { recordId, text } from "./references.ts";

export const pipedriveUserMapper: UnifiedMapper = {
  provider: "pipedrive",
  model: "User",
  stream: "users",
  version: "1",
  fromRecord(record) {
    const id = recordId(record);
    const active = record.active_flag;
    return [
      {
        remoteId: id,
        idStream: "users",
        remotePath: `/v1/users/${id}`,
        fields: {
          name: text(record.name),
          email: text(record.email),
          is_active: typeof active === "boolean" ? active : null,
        },
      },
    ];
  },
};

export const pipedriveStageMapper: UnifiedMapper = {
  provider: "pipedrive",
  model: "Stage",
  stream: "stages",
  version: "1",
  fromRecord(record) {
    const id = recordId(record);
    return [
      {
        remoteId: id,
        idStream: "stages",
        remotePath: `/api/v2/stages/${id}`,
        fields: { name: text(record.name) },
      },
    ];
  },
};
