/**
 * What kind of problem a failed run's typed error is (`src/core/errors.ts`), and how an issue of that kind
 * is titled and what to do about it. Pure: no I/O.
 */

export const ISSUE_CAUSES = [
  "auth_failed",
  "rate_limited",
  "provider_down",
  "schema_change",
  "other",
] as const;
export type IssueCause = (typeof ISSUE_CAUSES)[number];

/** Causes that are about one stream of a connection rather than the whole connection. */
const PER_STREAM_CAUSES: ReadonlySet<IssueCause> = new Set(["schema_change"]);

export function isPerStream(cause: IssueCause): boolean {
  return PER_STREAM_CAUSES.has(cause);
}

/** A run's stored error summary. */
export interface RunErrorSummary {
  code: string;
  message: string;
  hint?: string;
}

/**
 * The cause of a failed run's error, or null when the failure is no ongoing problem of the connection (a run
 * stopped on purpose: `run_aborted`).
 */
export function causeOfError(error: RunErrorSummary): IssueCause | null {
  switch (error.code) {
    case "credentials_rejected":
    case "reauthorization_required":
    case "oauth2_authorization_failed":
      return "auth_failed";
    case "rate_limited":
      return "rate_limited";
    case "provider_unavailable":
      // Retries ran out: on 429s (the provider throttles us) or on 5xx and network errors (it is down).
      return /\b429\b|rate.?limit|too many requests/i.test(error.message) ? "rate_limited" : "provider_down";
    case "provider_response_malformed":
    case "record_invalid":
      return "schema_change";
    case "run_aborted":
      return null;
    default:
      return "other";
  }
}

/** The stream a per-stream error names in its message (`A record of stream "contacts" is invalid…`). */
export function streamNamedIn(message: string): string | undefined {
  return /\bstream "([^"]+)"/.exec(message)?.[1];
}

const DEFAULT_HINTS: Record<IssueCause, string> = {
  auth_failed:
    "Ask the end user to connect the account again (a Connect session for this connection); the next " +
    "successful run resolves the issue.",
  rate_limited:
    "The provider throttled the connection until retries ran out: run the sync less often or with fewer " +
    "streams; the next successful run resolves the issue.",
  provider_down:
    "The provider kept failing (5xx or network errors). Runs resume from their last checkpoint; the next " +
    "successful run resolves the issue.",
  schema_change:
    "The provider sent data of a shape the stream does not expect; check the provider's changelog or the " +
    "stream's definition. The next successful run of the stream resolves the issue.",
  other:
    "Look at the failed run's log (GET /v1/runs/{run_id}/logs); the next successful run resolves the issue.",
};

/** The issue's title: what is wrong, in a few words a person scanning a list reads. */
export function titleOf(cause: IssueCause, provider: string, stream: string): string {
  switch (cause) {
    case "auth_failed":
      return `${provider} rejected the connection's credentials`;
    case "rate_limited":
      return `${provider} is rate limiting the connection`;
    case "provider_down":
      return `${provider} is unavailable`;
    case "schema_change":
      return stream ? `${provider} sent unexpected data for ${stream}` : `${provider} sent unexpected data`;
    case "other":
      return `Syncs of this ${provider} connection are failing`;
  }
}

/** What to do: the error's own hint when it has one, else the cause's. */
export function hintOf(cause: IssueCause, hint?: string | null): string {
  return hint || DEFAULT_HINTS[cause];
}
