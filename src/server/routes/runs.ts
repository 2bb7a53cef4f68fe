import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { ArgumentError } from "../../core/index.ts";
import { type Database, getRun, listRuns } from "../../store/index.ts";

const listQuery = z.object({
  connection_id: z.string().optional(),
  status: z.enum(["running", "succeeded", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** GET /v1/runs (newest first, with stats) and GET /v1/runs/:id. */
export function registerRunRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.get("/v1/runs", async (request) => {
    const parsed = listQuery.safeParse(request.query);
    if (!parsed.success) {
      throw new ArgumentError(
        `Bad query: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    const { connection_id, status, limit } = parsed.data;
    const runs = await listRuns(db, {
      limit,
      ...(connection_id ? { connectionId: connection_id } : {}),
      ...(status ? { status } : {}),
    });
    return { data: runs };
  });

  app.get<{ Params: { id: string } }>("/v1/runs/:id", async (request) => getRun(db, request.params.id));
}
