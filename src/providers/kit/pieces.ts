/**
 * The kit's pieces on their own, for a hand-written stream (the escape hatch): an endpoint (request, where
 * its records are, paginator) and a fields endpoint, declared and checked when the module loads like a
 * declared stream's, then read by the stream's own code. What such a stream reads the way a declared one
 * would (a plain list, its fields) stays declaration; only what no declaration expresses is code.
 */
import { z } from "zod";
import type { HttpRequest, HttpResponse, ReadContext } from "../../core/index.ts";
import {
  createPaginator,
  type Page,
  type PageToken,
  type PaginationSpec,
  paginate,
} from "../../http/index.ts";
import { parseDeclaration } from "./declaration.ts";
import { paginationSpecSchema } from "./pagination-spec.ts";
import { buildRequest, type ParamLocation, type RequestSpec, requestSpecSchema } from "./request.ts";
import { discoverySpecSchema, type ParsedDiscoverySpec } from "./schema-spec.ts";

const endpointSpecSchema = z.strictObject({
  request: requestSpecSchema,
  /** Dot path of the records array in the body; "" when the body is the array. */
  records: z.string(),
  paginator: paginationSpecSchema,
});

export interface EndpointSpec {
  request: RequestSpec;
  records: string;
  paginator: PaginationSpec;
}

/** A declared endpoint, ready to read page by page. */
export interface Endpoint {
  readonly records: string;
  /** The request for the page at `token` (absent: the first), with `params` added where `where` says. */
  requestFor(params?: Record<string, string | number>, token?: PageToken, where?: ParamLocation): HttpRequest;
  /** The token of the page after `response` (which held `records`), or undefined after the last page. */
  nextToken(response: HttpResponse, records: readonly unknown[], token?: PageToken): PageToken | undefined;
  /** Every page from `resumeFrom` on, each with its records and the next page's token. */
  pages(
    ctx: Pick<ReadContext, "http" | "signal">,
    options?: { params?: Record<string, string | number>; resumeFrom?: PageToken },
  ): AsyncGenerator<Page>;
}

/** The endpoint a spec declares; throws ConfigError naming `what` and every wrong field. */
export function defineEndpoint(spec: EndpointSpec, what: string): Endpoint {
  const parsed = parseDeclaration(endpointSpecSchema, spec, what);
  const paginator = createPaginator(parsed.paginator);
  return {
    records: parsed.records,
    requestFor: (params = {}, token, where = "query") =>
      paginator.requestFor(buildRequest(parsed.request, params, where), token),
    nextToken: (response, records, token) => paginator.nextToken(response, records, token),
    pages: (ctx, options = {}) =>
      paginate(ctx.http, buildRequest(parsed.request, options.params), paginator, {
        records: parsed.records,
        resumeFrom: options.resumeFrom,
        signal: ctx.signal,
      }),
  };
}

/** A fields endpoint (schema discovery) for `discoverFields`; throws ConfigError naming every wrong field. */
export function defineDiscovery(
  spec: z.input<typeof discoverySpecSchema>,
  what: string,
): ParsedDiscoverySpec {
  return parseDeclaration(discoverySpecSchema, spec, what);
}
