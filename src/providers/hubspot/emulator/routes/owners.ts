/**
 * `GET /crm/v3/owners/` (paged, filterable by email, `archived=true` for deactivated users) and
 * `GET /crm/v3/owners/{ownerId}` (by owner id, or by user id with `idProperty=userId`).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { limitParam, pageLink, takePage } from "../../../../emulator/paging.ts";
import { archivedParam, type EmulatorContext, singleParam } from "../context.ts";
import { HubSpotApiError, validationError } from "../errors.ts";

export const DEFAULT_OWNERS_LIMIT = 100;
export const MAX_OWNERS_LIMIT = 500;

type OwnersRequest = FastifyRequest<{
  Params: { ownerId?: string };
  Querystring: Record<string, string | string[] | undefined>;
}>;

/** Registers the owners routes (the client asks for the list with a trailing slash). */
export function ownerRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const list = async (request: OwnersRequest) => {
    const archived = archivedParam(request.query.archived);
    const email = singleParam(request.query.email)?.toLowerCase();
    const limit = limitParam(singleParam(request.query.limit), {
      fallback: DEFAULT_OWNERS_LIMIT,
      max: MAX_OWNERS_LIMIT,
    });
    const after = singleParam(request.query.after);
    const matching = ctx.owners.filter(
      (owner) =>
        owner.archived === archived && (email === undefined || email === "" || owner.email === email),
    );
    // `after` is the id of the next owner (HubSpot's is opaque too).
    const start = after === undefined || after === "" ? 0 : matching.findIndex((owner) => owner.id === after);
    if (start < 0)
      throw validationError(`after must be a paging cursor returned by a previous page, but was "${after}".`);
    const { items: results, next } = takePage(matching.slice(start), limit);
    if (!next) return { results };
    const link = pageLink(`http://${request.headers.host ?? "localhost"}`, request.url, { after: next.id });
    return { results, paging: { next: { after: next.id, link } } };
  };
  app.get("/crm/v3/owners", list);
  app.get("/crm/v3/owners/", list);

  app.get("/crm/v3/owners/:ownerId", async (request: OwnersRequest) => {
    const archived = archivedParam(request.query.archived);
    const idProperty = singleParam(request.query.idProperty) ?? "id";
    if (idProperty !== "id" && idProperty !== "userId") {
      throw validationError(`idProperty must be id or userId, but was "${idProperty}".`);
    }
    const wanted = request.params.ownerId ?? "";
    const owner = ctx.owners.find(
      (candidate) =>
        candidate.archived === archived &&
        (idProperty === "id"
          ? candidate.id === wanted
          : String(candidate.userIdIncludingInactive) === wanted),
    );
    if (!owner) {
      throw new HubSpotApiError(404, "OBJECT_NOT_FOUND", `No owner with ${idProperty} ${wanted}.`, {
        context: { [idProperty]: [wanted] },
      });
    }
    return owner;
  });
}
