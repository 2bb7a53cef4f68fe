/**
 * `POST /crm/v3/objects/{objectType}/search`: results carry no associations, as in HubSpot.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type EmulatorContext, objectTypeParam } from "../context.ts";
import { parseBody } from "../object-writes.ts";
import { runSearch, searchRequestSchema } from "../search.ts";
import { selectProperties, toApiObject } from "../serialize.ts";

/** Registers the search route. */
export function searchRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;
  app.post(
    "/crm/v3/objects/:objectType/search",
    async (request: FastifyRequest<{ Params: { objectType: string } }>, reply) => {
      const type = objectTypeParam(request.params.objectType);
      const search = parseBody(searchRequestSchema, request.body ?? {});
      const page = runSearch(dataset, type, search);
      const names = selectProperties(dataset, type, search.properties);
      const table = dataset.table(type);
      const results = page.ids.map((id) => toApiObject(dataset, type, table.get(id)!, names));
      return reply.send({
        total: page.total,
        results,
        ...(page.nextAfter === undefined ? {} : { paging: { next: { after: page.nextAfter } } }),
      });
    },
  );
}
