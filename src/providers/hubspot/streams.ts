/**
 * The HubSpot streams: contacts, companies and deals, hand-written from the object list on the kit's
 * pieces (their incremental search and association check are no declaration), the declared owners, and the
 * deal stages of the pipelines API (pipelines.ts).
 */
import type { StreamDefinition } from "../../core/index.ts";
import type { StreamSpec } from "../kit/index.ts";
import { CRM_OBJECTS, type CrmObject, columnsOf } from "./objects.ts";
import { ownersStream } from "./owners.ts";
import { dealStagesStream } from "./pipelines.ts";
import { readCrmObject } from "./read.ts";
import { hubspotStateSchema } from "./state.ts";

/** A CRM object as a stream: key `id`, cursor `updatedAt`, deletions flagged by `archived`. */
export function crmStream(object: CrmObject): StreamDefinition {
  return {
    name: object.name,
    primaryKey: "id",
    cursorField: "updatedAt",
    deletedField: "archived",
    schema: { columns: columnsOf(object) },
    stateSchema: hubspotStateSchema,
    read: (ctx) => readCrmObject(object, ctx),
  };
}

export const hubspotStreams: readonly (StreamDefinition | StreamSpec)[] = [
  ...CRM_OBJECTS.map(crmStream),
  ownersStream,
  dealStagesStream,
];
