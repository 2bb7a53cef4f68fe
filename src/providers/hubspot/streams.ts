/**
 * The HubSpot streams: contacts, companies and deals, declared from the object list.
 */
import type { StreamDefinition } from "../../core/index.ts";
import { CRM_OBJECTS, type CrmObject, columnsOf } from "./objects.ts";
import { readCrmObject } from "./read.ts";

/** A CRM object as a stream: key `id`, cursor `updatedAt`, deletions flagged by `archived`. */
export function crmStream(object: CrmObject): StreamDefinition {
  return {
    name: object.name,
    primaryKey: "id",
    cursorField: "updatedAt",
    deletedField: "archived",
    schema: { columns: columnsOf(object) },
    read: (ctx) => readCrmObject(object, ctx),
  };
}

export const hubspotStreams: readonly StreamDefinition[] = CRM_OBJECTS.map(crmStream);
