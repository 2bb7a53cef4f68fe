/**
 * Errors in a provider's own shape. Route handlers throw `EmulatorError`; the server renders it through the
 * provider's `ErrorStyle`, which also words the errors the kit raises itself (auth, rate limits, faults,
 * unknown routes, unparsable bodies).
 */

/** An API error a handler raises: status, a provider code (category, error type…), message, extra fields. */
export class EmulatorError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** How a provider's errors look on the wire. */
export interface ErrorStyle {
  /** Header carrying a fresh request id on every API response (e.g. `x-request-id`). */
  requestIdHeader?: string;
  /** The JSON body of an error; `requestId` is the id sent in the header. */
  body(error: EmulatorError, requestId: string): unknown;
  /** No credentials on the request. */
  missingCredentials(): EmulatorError;
  /** Credentials the emulator does not know. */
  invalidCredentials(): EmulatorError;
  /** Credentials that were valid and have expired (or been expired by a control). */
  expiredCredentials(): EmulatorError;
  /** The 429 for an exhausted rate-limit window (`policy` is its name); `client` is the caller's app id. */
  rateLimited(policy: string, client: number): EmulatorError;
  /** The JSON 500 of the server-error fault (its 502 and 503 are gateway HTML pages). */
  internalError(message: string): EmulatorError;
  routeNotFound(method: string, url: string): EmulatorError;
  /** A request the framework could not parse (bad JSON, wrong content type, too large). */
  invalidRequest(message: string): EmulatorError;
  /** Title of the HTML error page sent by the HTML and gateway faults. */
  htmlPageTitle: string;
}

/** The generic style: `{ "error": { "code", "message", ...details } }`, with plain wording. */
export const DEFAULT_ERROR_STYLE: ErrorStyle = {
  body: (error) => ({ error: { code: error.code, message: error.message, ...error.details } }),
  missingCredentials: () => new EmulatorError(401, "unauthorized", "Credentials are missing."),
  invalidCredentials: () => new EmulatorError(401, "unauthorized", "The credentials are not valid."),
  expiredCredentials: () => new EmulatorError(401, "token_expired", "The access token has expired."),
  rateLimited: (policy) => new EmulatorError(429, "rate_limited", `Rate limit "${policy}" exceeded.`),
  internalError: (message) => new EmulatorError(500, "internal_error", message),
  routeNotFound: (method, url) => new EmulatorError(404, "not_found", `No route for ${method} ${url}.`),
  invalidRequest: (message) => new EmulatorError(400, "invalid_request", message),
  htmlPageTitle: "Temporary problem",
};

/** A provider's style: the generic one with its own body and wording laid over. */
export function defineErrorStyle(style: Partial<ErrorStyle>): ErrorStyle {
  return { ...DEFAULT_ERROR_STYLE, ...style };
}
