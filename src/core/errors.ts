/**
 * Typed errors with a stable code and an actionable message.
 * Every error that reaches a user (CLI, API, run log) is one of these.
 */
export type ErrorCode =
  | "config_invalid"
  | "argument_invalid"
  | "unknown_provider"
  | "unknown_stream"
  | "credentials_rejected"
  | "provider_request_rejected"
  | "provider_unavailable"
  | "provider_response_malformed"
  | "record_invalid"
  | "state_invalid"
  | "destination_failed"
  | "run_aborted"
  | "run_interrupted"
  | "not_found"
  // Platform API (HTTP): what was wrong with the request itself.
  | "request_invalid"
  | "body_malformed"
  | "payload_too_large"
  | "uri_too_long"
  | "headers_too_large"
  | "unsupported_media_type"
  | "method_not_allowed"
  | "unauthenticated"
  | "forbidden"
  | "rate_limited"
  | "conflict"
  // Actions and writes: the provider refused a write; an Idempotency-Key was reused for another request.
  | "action_refused"
  | "idempotency_key_reused"
  // Connect and OAuth2.
  | "reauthorization_required"
  | "oauth2_authorization_failed"
  | "connect_session_expired"
  | "connect_session_used"
  | "connect_session_locked"
  | "internal";

export class SwitchyardError extends Error {
  readonly code: ErrorCode;
  /** What the user should do about it. */
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** One line for logs and terminals: message followed by the hint. */
  describe(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export class ConfigError extends SwitchyardError {
  constructor(message: string, hint?: string, details?: Record<string, unknown>) {
    super("config_invalid", message, { hint, details });
  }
}

export class ArgumentError extends SwitchyardError {
  constructor(message: string, hint?: string) {
    super("argument_invalid", message, { hint });
  }
}

export class UnknownStreamError extends SwitchyardError {
  constructor(provider: string, stream: string, known: readonly string[]) {
    super("unknown_stream", `Provider "${provider}" has no stream "${stream}".`, {
      hint: `Use one of: ${known.join(", ")}.`,
      details: { provider, stream, known },
    });
  }
}

/** The provider said 401/403: the token is wrong, expired or lacks scopes. */
export class CredentialsRejectedError extends SwitchyardError {
  constructor(provider: string, status: number, providerMessage?: string) {
    super(
      "credentials_rejected",
      `${provider} rejected the credentials (HTTP ${status}${providerMessage ? `: ${providerMessage}` : ""}).`,
      {
        hint: "Check the token or re-authorise the connection; make sure it has the scopes the streams need.",
        details: { provider, status },
      },
    );
  }
}

/** A 4xx other than auth and rate limiting: our request was wrong. Not retried. */
export class ProviderRequestError extends SwitchyardError {
  constructor(provider: string, status: number, providerMessage: string, details?: Record<string, unknown>) {
    super(
      "provider_request_rejected",
      `${provider} rejected the request (HTTP ${status}): ${providerMessage}`,
      {
        hint: "This is usually a bug in the stream or action definition; the provider's message says what it wanted.",
        details: { provider, status, ...details },
      },
    );
  }
}

/** Retries ran out on 429, 5xx or network errors. */
export class ProviderUnavailableError extends SwitchyardError {
  constructor(provider: string, attempts: number, lastProblem: string, options: { cause?: unknown } = {}) {
    super(
      "provider_unavailable",
      `${provider} kept failing after ${attempts} attempts (last: ${lastProblem}).`,
      {
        hint: connectionRefused(options.cause)
          ? "Nothing accepts connections at the provider's address: check the connection's base URL (an " +
            "emulator or local service there may have stopped or moved), then run the sync again; it resumes " +
            "from its last checkpoint."
          : "The provider is down or throttling hard; the run can be retried later and resumes from its last checkpoint.",
        details: { provider, attempts },
        cause: options.cause,
      },
    );
  }
}

/** Whether an error, or one it wraps (`cause`, or `errors` of an AggregateError), is a refused connection. */
function connectionRefused(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 5) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (code === "ECONNREFUSED") return true;
  if (Array.isArray(errors) && errors.some((inner) => connectionRefused(inner, depth + 1))) return true;
  return connectionRefused(cause, depth + 1);
}

/** The provider answered 2xx with something we cannot use (HTML, broken JSON, wrong shape). */
export class ProviderResponseError extends SwitchyardError {
  constructor(provider: string, problem: string, details?: Record<string, unknown>) {
    super("provider_response_malformed", `${provider} sent a response we cannot use: ${problem}`, {
      hint: "Nothing was written for this page; the run can be retried and resumes from its last checkpoint.",
      details: { provider, ...details },
    });
  }
}

export class RecordInvalidError extends SwitchyardError {
  constructor(stream: string, problem: string, details?: Record<string, unknown>) {
    super("record_invalid", `A record of stream "${stream}" is invalid: ${problem}`, {
      hint: "The page was not written and state did not advance; check the provider data or the stream's primary key.",
      details: { stream, ...details },
    });
  }
}

/** A saved checkpoint does not have the shape its stream declares (corrupt, or written by something else). */
export class StateInvalidError extends SwitchyardError {
  constructor(stream: string, problem: string) {
    super(
      "state_invalid",
      `The saved checkpoint of stream "${stream}" is not one this stream can resume from: ${problem}`,
      {
        hint: "Nothing was read. Run the sync with --full-refresh (API: full_refresh: true) to start the stream over; the checkpoint is replaced when it commits.",
        details: { stream },
      },
    );
  }
}

export class DestinationError extends SwitchyardError {
  constructor(destination: string, problem: string, options: { cause?: unknown } = {}) {
    super("destination_failed", `Destination "${destination}" failed: ${problem}`, {
      hint: "State did not advance past the failed batch; fix the destination and run the sync again.",
      cause: options.cause,
    });
  }
}

export class NotFoundError extends SwitchyardError {
  constructor(what: string, id: string) {
    super("not_found", `${what} "${id}" does not exist.`, { details: { what, id } });
  }
}

/** Turns anything thrown into a SwitchyardError-shaped summary without leaking stack traces to users. */
export function describeError(error: unknown): { code: string; message: string; hint?: string } {
  if (error instanceof SwitchyardError) return error.toJSON();
  if (error instanceof Error) return { code: "internal", message: error.message };
  return { code: "internal", message: String(error) };
}

/** One problem with one field of an input: where it is (`body`, `query`, `params`), its path, and what is wrong. */
export interface FieldIssue {
  location: "body" | "query" | "params" | "headers";
  /** Dotted path within the location (`end_user.email`); empty for the location as a whole. */
  path: string;
  message: string;
}

/** An API request did not match its contract; `issues` names every offending field. */
export class RequestInvalidError extends SwitchyardError {
  readonly issues: readonly FieldIssue[];

  constructor(
    issues: readonly FieldIssue[],
    hint = "Fix the fields listed in `errors` and send the request again.",
  ) {
    const first = issues[0];
    super(
      "request_invalid",
      issues.length === 1 && first
        ? `Invalid ${first.location}${first.path ? ` field "${first.path}"` : ""}: ${first.message}`
        : `The request has ${issues.length} invalid fields.`,
      { hint },
    );
    this.issues = issues;
  }
}

/** The provider refused the connection's refresh token: only the end user can fix it, by authorising again. */
export class ReauthorizationRequiredError extends SwitchyardError {
  constructor(provider: string, providerMessage: string, details?: Record<string, unknown>) {
    super("reauthorization_required", `${provider} refused the refresh token: ${providerMessage}`, {
      hint:
        "The end user revoked access or the grant expired. Create a connect session for this end user and " +
        "have them connect the account again; the connection stays `needs_reauth` until then.",
      details: { provider, ...details },
    });
  }
}

/** The OAuth2 authorization step failed: the user declined, the state did not match, or the code was refused. */
export class OAuth2AuthorizationError extends SwitchyardError {
  constructor(provider: string, problem: string, details?: Record<string, unknown>) {
    super("oauth2_authorization_failed", `Connecting ${provider} did not complete: ${problem}`, {
      hint: "Start the connection again from the Connect page.",
      details: { provider, ...details },
    });
  }
}
