/**
 * `GET /crm/v3/owners/` (paged, filterable by email, `archived=true` for deactivated users) and
 * `GET /crm/v3/owners/{ownerId}` (by owner id, or by user id with `idProperty=userId`).
 */

import type { FastifyInstance, FastifyRequest } from "fastify";
import { EmulatorError } from "../../../../emulator/errors.ts";
import { afterIdParam, limitParam, requestPageLink, takePage } from "../../../../emulator/paging.ts";
import { archivedParam, type EmulatorContext, singleParam } from "../context.ts";
import { validationError } from "../errors.ts";
import { type PublicOwner, toPublicOwner } from "../owners.ts";

export const DEFAULT_OWNERS_LIMIT = 100;
export const MAX_OWNERS_LIMIT = 500;

type OwnersRequest = FastifyRequest<{
  Params: { ownerId?: string };
  Querystring: Record<string, string | string[] | undefined>;
}>;

/** Registers the owners routes (the client asks for the list with a trailing slash). */
export function ownerRoutes(app: FastifyInstance, { dataset }: EmulatorContext): void {
  /** Live or deactivated owners, in id order from `fromId`. */
  function* owners(archived: boolean, fromId?: number): Generator<PublicOwner> {
    const table = dataset.owners;
    for (const id of archived ? table.archivedIds(fromId) : table.liveIds(fromId))
      yield toPublicOwner(table.get(id)!);
  }
  const list = async (request: OwnersRequest) => {
    const email = singleParam(request.query.email)?.toLowerCase();
    const limit = limitParam(singleParam(request.query.limit), {
      fallback: DEFAULT_OWNERS_LIMIT,
      max: MAX_OWNERS_LIMIT,
    });
    // `after` is the id of the next owner (HubSpot's is opaque too).
    const fromId = afterIdParam(singleParam(request.query.after));
    const matching = [...owners(archivedParam(request.query.archived), fromId)].filter(
      (owner) => email === undefined || email === "" || owner.email === email,
    );
    const { items: results, next } = takePage(matching, limit);
    if (!next) return { results };
    return {
      results,
      paging: { next: { after: next.id, link: requestPageLink(request, { after: next.id }) } },
    };
  };
  app.get("/crm/v3/owners", list);
  app.get("/crm/v3/owners/", list);

  app.get("/crm/v3/owners/:ownerId", async (request: OwnersRequest) => {
    const idProperty = singleParam(request.query.idProperty) ?? "id";
    if (idProperty !== "id" && idProperty !== "userId") {
      throw validationError(`idProperty must be id or userId, but was "${idProperty}".`);
    }
    const wanted = request.params.ownerId ?? "";
    const owner = [...owners(archivedParam(request.query.archived))].find((candidate) =>
      idProperty === "id" ? candidate.id === wanted : String(candidate.userIdIncludingInactive) === wanted,
    );
    if (!owner) {
      throw new EmulatorError(404, "OBJECT_NOT_FOUND", `No owner with ${idProperty} ${wanted}.`, {
        context: { [idProperty]: [wanted] },
      });
    }
    return owner;
  });
}
