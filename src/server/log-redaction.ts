import type { FastifyRequest } from "fastify";
import { redactQueryParams } from "../http/index.ts";

/** Query parameters that carry secrets on public pages: Connect session tokens and OAuth2 codes and states. */
export const SECRET_QUERY_PARAMS = ["token", "code", "state"] as const;

/** Fastify's request log fields, with the values of secret query parameters replaced by "[REDACTED]". */
export function requestLogFields(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactQueryParams(request.url, SECRET_QUERY_PARAMS),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
