/**
 * Merge's passthrough, `POST /api/crm/v1/passthrough`: a request to the linked account's provider, sent on
 * the proxy's guarded code path (src/app/proxy) with the account's credentials, and answered in Merge's
 * `RemoteResponse` envelope — HTTP 200 whatever the provider said, its status in `status`.
 *
 * Bytes, as Merge carries them: a request's `data` is text; binary content goes in `multipart_form_data`, each
 * field's `data` RAW, BASE64 or GZIP_BASE64. A response is `JSON` when it is JSON, else `BASE64_GZIP`: the
 * base64 of the gzip of the provider's bytes (decoded first from any `content-encoding` it sent).
 */
import { randomUUID } from "node:crypto";
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from "node:zlib";
import { z } from "zod";
import { PROXY_METHODS, proxyRequest } from "../../app/proxy/proxy.ts";
import { RequestInvalidError, SwitchyardError } from "../../core/index.ts";
import { DetailErrorResponse } from "../../unified/crm/index.ts";
import { defineRoute } from "../route.ts";

/** The media type `data` is sent as, per `request_format`, unless the caller's headers name one. */
const CONTENT_TYPES = { JSON: "application/json", XML: "application/xml" } as const;

const MultipartFormField = z
  .object({
    name: z.string().min(1).max(200),
    data: z.string().describe("The field's value, in `encoding`."),
    encoding: z.enum(["RAW", "BASE64", "GZIP_BASE64"]).nullish().describe("Of `data`; RAW when absent."),
    file_name: z.string().max(500).nullish(),
    content_type: z.string().max(200).nullish(),
  })
  .meta({ id: "crm.MultipartFormFieldRequest", description: "One field of a multipart/form-data body." });

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
    multipart_form_data: z
      .array(MultipartFormField)
      .max(100)
      .nullish()
      .describe("The body as `multipart/form-data` fields, with `request_format` MULTIPART."),
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
function responseOf(raw: Buffer, headers: Readonly<Record<string, string>>) {
  const body = decoded(raw, headers["content-encoding"]);
  if (body.length === 0) return { response: null, response_type: "JSON" as const };
  const contentType = headers["content-type"];
  if (!contentType || contentType.includes("json")) {
    try {
      return { response: JSON.parse(body.toString("utf8")) as unknown, response_type: "JSON" as const };
    } catch {
      // Not JSON after all: encoded below.
    }
  }
  return { response: gzipSync(body).toString("base64"), response_type: "BASE64_GZIP" as const };
}

/** The provider's bytes without their `content-encoding` (gzip, deflate, br); as they are if it is another. */
function decoded(body: Buffer, encoding: string | undefined): Buffer {
  const decode = { gzip: gunzipSync, "x-gzip": gunzipSync, deflate: inflateSync, br: brotliDecompressSync }[
    encoding?.trim().toLowerCase() ?? ""
  ];
  if (!decode || body.length === 0) return body;
  try {
    return decode(body);
  } catch {
    // Not what the header said: relayed as it came.
    return body;
  }
}

/** The bytes of one field's `data`, decoded from its `encoding`. */
function fieldBytes(field: z.infer<typeof MultipartFormField>, index: number): Buffer {
  if (!field.encoding || field.encoding === "RAW") return Buffer.from(field.data, "utf8");
  const bytes = Buffer.from(field.data, "base64");
  if (field.encoding === "BASE64") return bytes;
  try {
    return gunzipSync(bytes);
  } catch {
    throw new RequestInvalidError(
      [
        {
          location: "body",
          path: `multipart_form_data.${index}.data`,
          message: "is not base64 of gzip data",
        },
      ],
      "Send GZIP_BASE64 data as the base64 of gzip-compressed bytes, or use BASE64 or RAW.",
    );
  }
}

/** A `Content-Disposition` parameter value, quoted, with quotes and line breaks escaped as browsers do. */
function quoted(value: string): string {
  return `"${value.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}"`;
}

/** The fields as one `multipart/form-data` body, and the media type that names its boundary. */
function multipartBody(fields: readonly z.infer<typeof MultipartFormField>[]) {
  const boundary = `switchyard-${randomUUID()}`;
  const parts = fields.flatMap((field, index) => {
    const file = field.file_name != null ? `; filename=${quoted(field.file_name)}` : "";
    const type =
      field.content_type != null ? `Content-Type: ${field.content_type.replace(/[\r\n]/g, "")}\r\n` : "";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(field.name)}${file}\r\n${type}\r\n`;
    return [Buffer.from(head), fieldBytes(field, index), Buffer.from("\r\n")];
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
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
  const multipart = body.request_format === "MULTIPART" || body.multipart_form_data != null;
  if (multipart && (!body.multipart_form_data || body.data != null)) {
    throw new SwitchyardError(
      "request_invalid",
      "A MULTIPART passthrough request carries its body in `multipart_form_data`.",
      {
        hint: "Send the fields in `multipart_form_data` with `request_format` MULTIPART, and no `data`.",
      },
    );
  }
  const headers: Record<string, string> = {};
  // As the caller spelled them, so that a refusal names the header as it was sent.
  for (const [name, value] of Object.entries(body.headers ?? {})) headers[name] = String(value);
  const typed = Object.keys(headers).find((name) => name.toLowerCase() === "content-type");
  let sent: string | Buffer | undefined;
  if (body.multipart_form_data) {
    const form = multipartBody(body.multipart_form_data);
    // The boundary is ours: the caller's multipart media type cannot name it.
    if (typed) delete headers[typed];
    headers["content-type"] = form.contentType;
    sent = form.body;
  } else if (body.data != null) {
    if (!typed) headers["content-type"] = CONTENT_TYPES[body.request_format === "XML" ? "XML" : "JSON"];
    sent = body.data;
  }
  const answer = await proxyRequest(deps, account, {
    method: body.method,
    path: body.path,
    headers,
    ...(sent !== undefined ? { body: sent } : {}),
    ...(body.base_url_override != null ? { baseUrlOverride: body.base_url_override } : {}),
  });
  const { response, response_type } = responseOf(answer.body, answer.headers);
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
