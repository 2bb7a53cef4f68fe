import Fastify, { type FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { describeError, SwitchyardError } from "../core/index.ts";
import type { Database } from "../store/index.ts";
import { registerHealthRoute } from "./routes/health.ts";
import { registerRunRoutes } from "./routes/runs.ts";

const STATUS_BY_CODE: Record<string, number> = {
  argument_invalid: 400,
  config_invalid: 400,
  not_found: 404,
  unknown_provider: 404,
  unknown_stream: 404,
};

/** Builds the HTTP API (not listening yet). Errors become JSON bodies with a stable code; nothing crashes. */
export function buildServer(deps: { db: Kysely<Database> }): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof SwitchyardError) {
      return reply.status(STATUS_BY_CODE[error.code] ?? 500).send({ error: error.toJSON() });
    }
    const status =
      typeof (error as { statusCode?: number }).statusCode === "number"
        ? (error as { statusCode: number }).statusCode
        : 500;
    return reply.status(status).send({
      error: status >= 500 ? { code: "internal", message: "Internal error" } : describeError(error),
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: { code: "not_found", message: `No route ${request.method} ${request.url}` } }),
  );
  registerHealthRoute(app);
  registerRunRoutes(app, deps.db);
  return app;
}
