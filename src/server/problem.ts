/**
 * Errors as RFC 9457 problem details (`application/problem+json`): type, title, status, detail, plus a
 * stable `code`, an actionable `hint`, and field-level `errors` when the input was invalid.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { type ErrorCode, RequestInvalidError, SwitchyardError } from "../core/index.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";

/** The HTTP status of every error code. A new code does not compile until it is given one here. */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  argument_invalid: 400,
  request_invalid: 400,
  body_malformed: 400,
  unknown_provider: 400,
  unknown_stream: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  connect_session_used: 409,
  connect_session_expired: 410,
  connect_session_locked: 410,
  oauth2_authorization_failed: 400,
  reauthorization_required: 422,
  run_aborted: 409,
  run_interrupted: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  headers_too_large: 431,
  unsupported_media_type: 415,
  credentials_rejected: 422,
  action_refused: 422,
  idempotency_key_reused: 422,
  record_invalid: 422,
  state_invalid: 422,
  rate_limited: 429,
  config_invalid: 500,
  destination_failed: 500,
  internal: 500,
  provider_request_rejected: 502,
  provider_response_malformed: 502,
  provider_unavailable: 502,
};

export const fieldIssueSchema = z
  .object({
    location: z.enum(["body", "query", "params", "headers"]),
    path: z.string().describe("Dotted path within the location; empty for the location as a whole."),
    message: z.string(),
  })
  .meta({ id: "FieldIssue" });

export const problemSchema = z
  .object({
    type: z.string().describe("A URI naming the kind of problem: `urn:switchyard:problem:<code>`."),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe("What went wrong, for a human."),
    code: z.string().describe("Stable machine-readable error code."),
    hint: z.string().optional().describe("What to do about it."),
    errors: z.array(fieldIssueSchema).optional(),
    instance: z.string().optional().describe("The request path."),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details." });

export type Problem = z.infer<typeof problemSchema>;

/** Field issues listed in one problem; the rest are counted, so an error never outgrows the request. */
export const MAX_LISTED_ISSUES = 10;
/** Longest request-supplied text (a path, a field name) a problem repeats. */
const MAX_ECHOED_CHARS = 200;
/** Longest message of a field issue (which may quote the value it refuses). */
const MAX_MESSAGE_CHARS = 600;

/** `text` cut to `max` characters, marked with an ellipsis when cut. */
export function clip(text: string, max = MAX_ECHOED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A problem for an error code with a message and optional hint and field issues. */
export function problem(
  code: ErrorCode,
  detail: string,
  extra: { hint?: string | undefined; errors?: Problem["errors"]; instance?: string } = {},
): Problem {
  return {
    type: `urn:switchyard:problem:${code}`,
    title: code.charAt(0).toUpperCase() + code.slice(1).replaceAll("_", " "),
    status: STATUS_BY_CODE[code],
    detail,
    code,
    ...(extra.hint ? { hint: extra.hint } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
    ...(extra.instance ? { instance: clip(extra.instance) } : {}),
  };
}

/** Fastify's own errors (body parsing and limits) by their code. */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; detail: string; hint: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: "body_malformed",
    detail: "The request body is not valid JSON.",
    hint: "Send a JSON document with `Content-Type: application/json`.",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: "body_malformed",
    detail: "The request says it carries JSON but the body is empty.",
    hint: "Send a JSON body, or leave out the Content-Type header when there is none.",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: "body_malformed",
    detail: "The Content-Length header does not match the body.",
    hint: "Let your HTTP client compute Content-Length.",
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: "payload_too_large",
    detail: "The request body is larger than this server accepts.",
    hint: "Send a smaller body; split large changes into several requests.",
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: "unsupported_media_type",
    detail: "The request body's Content-Type is not supported.",
    hint: "Send JSON with `Content-Type: application/json`.",
  },
};

/**
 * Turns anything thrown while serving a request into a problem. SwitchyardErrors keep their code, message
 * and hint; Fastify's parsing errors get their own codes; anything else is `internal` and reveals nothing.
 */
export function problemFromError(error: unknown, instance: string): Problem {
  if (error instanceof RequestInvalidError) {
    const unlisted = error.issues.length - MAX_LISTED_ISSUES;
    return problem(error.code, clip(error.message, MAX_MESSAGE_CHARS), {
      hint:
        unlisted > 0
          ? `${error.hint} Only the first ${MAX_LISTED_ISSUES} of ${error.issues.length} issues are listed.`
          : error.hint,
      errors: error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => ({
        location: issue.location,
        path: clip(issue.path),
        message: clip(issue.message, MAX_MESSAGE_CHARS),
      })),
      instance,
    });
  }
  if (error instanceof SwitchyardError)
    return problem(error.code, error.message, { hint: error.hint, instance });
  const fastifyCode = (error as { code?: unknown } | null)?.code;
  const known = typeof fastifyCode === "string" ? FASTIFY_ERRORS[fastifyCode] : undefined;
  if (known) return problem(known.code, known.detail, { hint: known.hint, instance });
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { ...problem("request_invalid", "The request could not be processed.", { instance }), status };
  }
  return problem("internal", "Something went wrong on our side; the request was not completed.", {
    hint: "Try again; if it keeps failing, the server log has the details.",
    instance,
  });
}

/**
 * What every error handler does before answering: the problem of `error`, logged when it is the server's
 * fault, with `WWW-Authenticate` on 401s and `Retry-After` when the error says how long to wait.
 */
export function problemForReply(error: unknown, request: FastifyRequest, reply: FastifyReply): Problem {
  const answer = problemFromError(error, request.url.split("?")[0] ?? "");
  if (answer.status >= 500) request.log.error({ err: error, code: answer.code }, "request failed");
  if (answer.code === "unauthenticated") reply.header("www-authenticate", 'Bearer realm="switchyard"');
  const retryAfter = error instanceof SwitchyardError ? error.details?.retryAfterSeconds : undefined;
  if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
  return answer;
}
