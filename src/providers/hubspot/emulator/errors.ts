/**
 * HubSpot's error bodies. Handlers throw the kit's `EmulatorError` (its code is HubSpot's `category`); the
 * kit's server renders every error through `hubspotErrors` with a fresh correlation id, the same way every time.
 */
import { defineErrorStyle, EmulatorError } from "../../../emulator/errors.ts";

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

/** 400 VALIDATION_ERROR, HubSpot's answer to a request it will not run. */
export function validationError(message: string, errors?: ErrorDetail[]): EmulatorError {
  return new EmulatorError(400, "VALIDATION_ERROR", message, errors ? { errors } : {});
}

/** 404 OBJECT_NOT_FOUND for a missing (or archived) record. */
export function objectNotFound(id: string): EmulatorError {
  return new EmulatorError(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.", {
    context: { id: [id] },
  });
}

export const authErrors = {
  missing: () =>
    new EmulatorError(
      401,
      "INVALID_AUTHENTICATION",
      "Authentication credentials not found. This API supports OAuth 2.0 and private app access tokens; send one as 'Authorization: Bearer <token>'.",
    ),
  invalid: () =>
    new EmulatorError(
      401,
      "INVALID_AUTHENTICATION",
      "The access token provided is not valid. Check the private app's access token and try again.",
    ),
  expired: () =>
    new EmulatorError(
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

const RATE_LIMIT = "RATE_LIMIT";

/** The 429 for a policy; `appId` names the limit group as HubSpot does. */
function rateLimited(policy: string, appId: number): EmulatorError {
  const known = policy as RateLimitPolicy;
  return new EmulatorError(
    429,
    RATE_LIMIT,
    RATE_LIMIT_MESSAGES[known] ?? `You have reached your ${policy} limit.`,
    {
      policyName: policy,
      groupName: policy === "SECONDLY" ? `search-api-calls:${appId}` : `api-calls-per-app:${appId}`,
    },
  );
}

/** HubSpot's error style: the standard body, the 429 body, and HubSpot's wording for auth and routing. */
export const hubspotErrors = defineErrorStyle({
  requestIdHeader: "x-hubspot-correlation-id",
  body: (error, correlationId): HubSpotErrorBody | RateLimitErrorBody =>
    error.code === RATE_LIMIT
      ? {
          status: "error",
          message: error.message,
          errorType: RATE_LIMIT,
          correlationId,
          ...(error.details as Pick<RateLimitErrorBody, "policyName" | "groupName">),
        }
      : { status: "error", message: error.message, correlationId, category: error.code, ...error.details },
  missingCredentials: authErrors.missing,
  invalidCredentials: authErrors.invalid,
  expiredCredentials: authErrors.expired,
  rateLimited,
  internalError: (message) => new EmulatorError(500, "INTERNAL_ERROR", message),
  routeNotFound: (method, url) =>
    new EmulatorError(404, "OBJECT_NOT_FOUND", `No route for ${method} ${url}.`),
  invalidRequest: (message) => validationError(message),
  htmlPageTitle: "HubSpot - Temporary problem",
});
