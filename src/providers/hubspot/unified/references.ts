/** The references HubSpot records make to other objects of the same connection, as Switchyard ids. */
import type { MapContext } from "../../../unified/mappers.ts";
import { text } from "../../../unified/values.ts";
import { ownersStream } from "../owners.ts";
import { firstCompanyId } from "./values.ts";

/** HubSpot's owners (`hubspot_owner_id`) are the CRM's users: the owners stream's records (unified User). */
export const OWNERS_STREAM = ownersStream.name;
/**
 * The id space of deal stages, which deals reference by `dealstage` and the `deal_stages` stream reads (kept
 * as `stages`, the name ids were first made in, so a stage's id did not change when that stream came).
 */
export const STAGES_STREAM = "stages";

export function ownerRef(record: Readonly<Record<string, unknown>>, ctx: MapContext): string | null {
  const owner = text(record.hubspot_owner_id);
  return owner === null ? null : ctx.idOf(OWNERS_STREAM, owner);
}

export function accountRef(record: Readonly<Record<string, unknown>>, ctx: MapContext): string | null {
  const company = firstCompanyId(record);
  return company === null ? null : ctx.idOf("companies", company);
}
