/**
 * HubSpot's batch envelope, shared by every batch endpoint: `{ status: "COMPLETE", results, startedAt,
 * completedAt }`, plus `numErrors` and `errors` when some inputs failed (sent with status 207).
 */

/** One failed part of a batch, as HubSpot lists it under `errors` (a StandardError). */
export interface BatchError {
  status: "error";
  category: string;
  subCategory?: string;
  message: string;
  context: Record<string, string[]>;
}

export interface BatchReply {
  /** 207 when any input failed, else `successStatus`. */
  statusCode: number;
  body: Record<string, unknown>;
}

/** Wraps a batch's results and errors; `startedAt` is when the handler began. */
export function batchReply(
  results: readonly unknown[],
  errors: readonly BatchError[],
  startedAt: string,
  successStatus = 200,
): BatchReply {
  return {
    statusCode: errors.length > 0 ? 207 : successStatus,
    body: {
      status: "COMPLETE",
      results,
      ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
      startedAt,
      completedAt: new Date().toISOString(),
    },
  };
}
