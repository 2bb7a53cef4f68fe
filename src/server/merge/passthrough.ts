/**
 * Merge's passthrough, `POST /api/crm/v1/passthrough`: a request to the linked account's provider, sent on
 * the proxy's guarded code path (src/app/proxy) with the account's credentials, and answered in Merge's
 * `RemoteResponse` envelope — HTTP 200 whatever the provider said, its status in `status`.
 */
import { gzipSync } from "node:zlib";
import { z } from "zod";
import { PROXY_METHODS, proxyRequest } from "../../app/proxy/proxy.ts";
import { SwitchyardError } from "../../core/index.ts";
import { DetailErrorResponse } from "../../unified/crm/index.ts";
import { defineRoute } from "../route.ts";

/** The media type `data` is sent as, per `request_format`, unless the caller's headers name one. */
const CONTENT_TYPES = { JSON: "application/json", XML: "application/xml" } as const;

const DataPassthroughRequest = z
  .object({
    method: z.enum(PROXY_METHODS),
    path: z.string().min(1).max(2_000).describe("The provider path, relative to the account's base URL."),
    base_url_override: z
      .string()
      .max(2_000)
      .nullish()
      .describe("Another base path on the account's own host."),
    data: z.string().nullish().describe("The body, as text in `request_format`."),
    multipart_form_data: z.array(z.unknown()).nullish().describe("Not supported yet: send `data` instead."),
    headers: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .nullish()
      .describe("Headers to send; never credentials (Switchyard injects the account's)."),
    request_format: z.enum(["JSON", "XML", "MULTIPART"]).nullish(),
    normalize_response: z.boolean().nullish(),
  })
  .meta({
    id: "crm.DataPassthroughRequest",
    description: "A request to send to the linked account's provider.",
  });

const RemoteResponse = z
  .object({
    method: z.string(),
    path: z.string(),
    status: z.number().int().describe("The provider's HTTP status."),
    response: z
      .unknown()
      .describe("The provider's body: parsed JSON, or base64 of its gzip (`BASE64_GZIP`)."),
    response_type: z.enum(["JSON", "BASE64_GZIP"]),
    headers: z.record(z.string(), z.string()).describe("The headers sent, credentials left out."),
    response_headers: z.record(z.string(), z.string()).describe("The provider's response headers."),
  })
  .meta({ id: "crm.RemoteResponse", description: "The provider's answer to a passthrough request." });

/** `{type, value}` as Merge's `normalize_response` gives it. */
function normalized(value: unknown): { type: string; value: unknown } {
  const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return { type, value };
}

/** The body as JSON when it is JSON (empty → null), else as base64 of its gzip, as Merge answers. */
function responseOf(body: string, contentType: string | undefined) {
  if (body === "") return { response: null, response_type: "JSON" as const };
  if (!contentType || contentType.includes("json")) {
    try {
      return { response: JSON.parse(body) as unknown, response_type: "JSON" as const };
    } catch {
      // Not JSON after all: encoded below.
    }
  }
  return { response: gzipSync(body).toString("base64"), response_type: "BASE64_GZIP" as const };
}

export const passthroughRoute = defineRoute({
  method: "POST",
  url: "/api/crm/v1/passthrough",
  name: "passthroughCreate",
  summary: "Send a request to the linked account's provider",
  description:
    "The request goes to the account's base URL (or the instance URL its OAuth tokens named) with its " +
    "credentials, rate-limit budget and retries — the proxy's code path (docs/proxy.md). Absolute URLs, other " +
    "hosts, `..` in any encoding, credential and hop-by-hop headers and redirects off the base URL are refused " +
    "with 400. The answer is 200 with the provider's status in `status`.",
  tags: ["Unified CRM"],
  auth: "account_token",
  body: DataPassthroughRequest,
  response: { 200: RemoteResponse },
  errors: [
    "not_found",
    "credentials_rejected",
    "provider_request_rejected",
    "provider_unavailable",
    "config_invalid",
  ],
  errorBody: DetailErrorResponse,
  example: { body: { method: "GET", path: "/crm/v3/objects/contacts?limit=1" } },
}).handle(async ({ body, account, deps }) => {
  if (body.request_format === "MULTIPART" || body.multipart_form_data) {
    throw new SwitchyardError("request_invalid", "Multipart passthrough requests are not supported yet.", {
      hint: "Send the body as text in `data` with `request_format` JSON or XML.",
    });
  }
  const headers: Record<string, string> = {};
  // As the caller spelled them, so that a refusal names the header as it was sent.
  for (const [name, value] of Object.entries(body.headers ?? {})) headers[name] = String(value);
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  if (body.data != null && !typed) {
    headers["content-type"] = CONTENT_TYPES[body.request_format ?? "JSON"];
  }
  const answer = await proxyRequest(deps, account, {
    method: body.method,
    path: body.path,
    headers,
    ...(body.data != null ? { body: body.data } : {}),
    ...(body.base_url_override != null ? { baseUrlOverride: body.base_url_override } : {}),
  });
  const { response, response_type } = responseOf(answer.body, answer.headers["content-type"]);
  return {
    status: 200,
    body: {
      method: body.method,
      path: body.path,
      status: answer.status,
      response: body.normalize_response ? normalized(response) : response,
      response_type,
      headers,
      response_headers: answer.headers,
    },
  };
});

export const passthroughRoutes = [passthroughRoute] as const;
