/**
 * The requester: a declared endpoint (path, method, fixed parameters) and the one function that turns it,
 * plus the parameters a read adds (the incremental cursor), into an HttpRequest.
 */
import { z } from "zod";
import type { HttpRequest } from "../../core/index.ts";

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const requestSpecSchema = z.strictObject({
  /** Relative to the provider's base URL (`/v1/persons`). */
  path: z.string().startsWith("/", "must start with / (it is relative to the provider's base URL)"),
  /** GET (default), or POST for search endpoints that take their filter in a JSON body. */
  method: z.enum(["GET", "POST"]).default("GET"),
  /** Fixed query parameters sent with every page (`limit`, `sort`…). */
  query: z.record(z.string(), scalar).optional(),
  /** Fixed JSON body (POST only); paginator and cursor parameters declared `in: "body"` are added to it. */
  body: z.record(z.string(), z.json()).optional(),
});

export type RequestSpec = z.input<typeof requestSpecSchema>;
export type ParsedRequestSpec = z.output<typeof requestSpecSchema>;

/** Where a read puts a parameter it adds: the query string, or the top level of the JSON body. */
export type ParamLocation = "query" | "body";

/** The request of a declared endpoint, with `params` added where they belong. */
export function buildRequest(
  spec: ParsedRequestSpec,
  params: Record<string, string | number> = {},
  where: ParamLocation = "query",
): HttpRequest {
  const request: HttpRequest = { method: spec.method, path: spec.path, query: { ...spec.query } };
  if (spec.method === "POST") request.body = { ...spec.body };
  if (Object.keys(params).length === 0) return request;
  if (where === "body") request.body = { ...(request.body as object | undefined), ...params };
  else request.query = { ...request.query, ...params };
  return request;
}
