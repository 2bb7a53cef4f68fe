/**
 * `POST /crm/v3/objects/{objectType}/search`: results carry no associations, as in HubSpot.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type EmulatorContext, objectTypeParam } from "../context.ts";
import { validationError } from "../errors.ts";
import { runSearch, searchRequestSchema } from "../search.ts";
import { selectProperties, toApiObject } from "../serialize.ts";

/** Registers the search route. */
export function searchRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;
  app.post(
    "/crm/v3/objects/:objectType/search",
    async (request: FastifyRequest<{ Params: { objectType: string } }>, reply) => {
      const type = objectTypeParam(request.params.objectType);
      const parsed = searchRequestSchema.safeParse(request.body ?? {});
      if (!parsed.success) {
        throw validationError(
          `Invalid input JSON: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ")}`,
        );
      }
      const page = runSearch(dataset, type, parsed.data);
      const names = selectProperties(dataset, type, parsed.data.properties);
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
