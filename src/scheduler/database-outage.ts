/**
 * Whether a run failed because its database session was lost (a Postgres restart, failover or network cut)
 * rather than because of its sync. Such a run is asked for again at once, as a run cut off by a shutdown is,
 * and the next run resumes from its last checkpoint: without this, a run that could still record its
 * failure once the server was back stayed failed until the sync's next scheduled time.
 *
 * The engine records these as `internal` errors, or `destination_failed` when a destination's write broke
 * (the records cache and the Postgres warehouse live on the same server), carrying the driver's message; the
 * messages are what is matched: node-postgres's for a broken or refused connection, and Postgres's own for a
 * session it ended or refused (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300
 * too many connections). Provider
 * failures have codes of their own (the HTTP client types them), so they do not match.
 */
import type { Run } from "../store/index.ts";

const LOST_SESSION = [
  /terminating connection due to/,
  /Connection terminated/,
  /the database system is (shutting down|starting up|in recovery mode)/,
  /is not queryable/,
  /server closed the connection unexpectedly/,
  /connect ECONNREFUSED|read ECONNRESET/,
  // 53300: the server is at max_connections (a new session refused, as 57P03 refuses one while starting).
  /sorry, too many clients already/,
];

export function failedOnLostDatabase(run: Pick<Run, "status" | "error"> | undefined): boolean {
  const error = run?.status === "failed" ? run.error : undefined;
  return (
    (error?.code === "internal" || error?.code === "destination_failed") &&
    LOST_SESSION.some((pattern) => pattern.test(error.message))
  );
}
