/**
 * HubSpot's error bodies. Handlers throw `HubSpotApiError`; the server renders it with a fresh
 * correlation id, the same way every time.
 */
import { randomUUID } from "node:crypto";

export interface ErrorDetail {
  message: string;
  in?: string;
  code?: string;
  subCategory?: string;
  context?: Record<string, string[]>;
}

/** The standard error body (`status`, `message`, `correlationId`, `category`, and optional detail). */
export interface HubSpotErrorBody {
  status: "error";
  message: string;
  correlationId: string;
  category: string;
  subCategory?: string;
  context?: Record<string, string[]>;
  errors?: ErrorDetail[];
}

/** The 429 body: note `errorType` and `policyName` instead of `category`. */
export interface RateLimitErrorBody {
  status: "error";
  message: string;
  errorType: "RATE_LIMIT";
  correlationId: string;
  policyName: RateLimitPolicy;
  groupName: string;
}

export type RateLimitPolicy = "TEN_SECONDLY_ROLLING" | "SECONDLY" | "DAILY";

/** An API error a route handler raises; rendered by the server as HubSpot would send it. */
export class HubSpotApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly category: string,
    message: string,
    readonly extra: Pick<HubSpotErrorBody, "subCategory" | "context" | "errors"> = {},
  ) {
    super(message);
  }

  /** The JSON body for this error, with a new correlation id. */
  body(correlationId: string = randomUUID()): HubSpotErrorBody {
    return { status: "error", message: this.message, correlationId, category: this.category, ...this.extra };
  }
}

/** 400 VALIDATION_ERROR, HubSpot's answer to a request it will not run. */
export function validationError(message: string, errors?: ErrorDetail[]): HubSpotApiError {
  return new HubSpotApiError(400, "VALIDATION_ERROR", message, errors ? { errors } : {});
}

/** 404 OBJECT_NOT_FOUND for a missing (or archived) record. */
export function objectNotFound(id: string): HubSpotApiError {
  return new HubSpotApiError(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.", {
    context: { id: [id] },
  });
}

export const authErrors = {
  missing: () =>
    new HubSpotApiError(
      401,
      "INVALID_AUTHENTICATION",
      "Authentication credentials not found. This API supports OAuth 2.0 and private app access tokens; send one as 'Authorization: Bearer <token>'.",
    ),
  invalid: () =>
    new HubSpotApiError(
      401,
      "INVALID_AUTHENTICATION",
      "The access token provided is not valid. Check the private app's access token and try again.",
    ),
  expired: () =>
    new HubSpotApiError(
      401,
      "EXPIRED_AUTHENTICATION",
      "The access token used to make this call has expired. Refresh or rotate it and try again.",
    ),
};

const RATE_LIMIT_MESSAGES: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: "You have reached your ten_secondly_rolling limit.",
  // The official client retries on exactly this message.
  SECONDLY: "You have reached your secondly limit.",
  DAILY: "You have reached your daily limit.",
};

/** The 429 body for a policy; `appId` names the limit group as HubSpot does. */
export function rateLimitBody(policy: RateLimitPolicy, appId: number): RateLimitErrorBody {
  return {
    status: "error",
    message: RATE_LIMIT_MESSAGES[policy],
    errorType: "RATE_LIMIT",
    correlationId: randomUUID(),
    policyName: policy,
    groupName: policy === "SECONDLY" ? `search-api-calls:${appId}` : `api-calls-per-app:${appId}`,
  };
}
