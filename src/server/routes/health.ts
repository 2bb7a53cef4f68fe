import { z } from "zod";
import { defineRoute } from "../route.ts";

/** GET /health — 200 while the process serves requests. Public. */
export const getHealth = defineRoute({
  method: "GET",
  url: "/health",
  name: "getHealth",
  summary: "Liveness check",
  tags: ["System"],
  auth: "public",
  response: {
    200: z.object({ status: z.literal("ok"), version: z.string(), uptime_seconds: z.number().int() }),
  },
  errors: [],
}).handle(async () => {
  return {
    status: 200,
    body: { status: "ok" as const, version: "0.1.0", uptime_seconds: Math.round(process.uptime()) },
  };
});

export const healthRoutes = [getHealth] as const;
