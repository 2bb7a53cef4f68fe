import type { FastifyInstance } from "fastify";

/** GET /health — 200 with JSON while the process serves requests. */
export function registerHealthRoute(app: FastifyInstance): void {
  app.get("/health", async () => ({
    status: "ok",
    version: "0.1.0",
    uptimeSeconds: Math.round(process.uptime()),
  }));
}
