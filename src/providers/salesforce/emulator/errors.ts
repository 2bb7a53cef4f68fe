/**
 * Salesforce's REST error body: an array of `{ message, errorCode, fields? }`, with the wording Salesforce
 * uses for an expired or unknown session (INVALID_SESSION_ID), exceeded API limits (REQUEST_LIMIT_EXCEEDED,
 * HTTP 403) and unknown resources (NOT_FOUND).
 */
import { defineErrorStyle, EmulatorError } from "../../../emulator/index.ts";

const invalidSession = () => new EmulatorError(401, "INVALID_SESSION_ID", "Session expired or invalid");

export const salesforceErrors = defineErrorStyle({
  body: (error) => {
    const fields = error.details.fields;
    return [{ message: error.message, errorCode: error.code, ...(Array.isArray(fields) ? { fields } : {}) }];
  },
  missingCredentials: invalidSession,
  invalidCredentials: invalidSession,
  expiredCredentials: invalidSession,
  rateLimited: (policy) =>
    new EmulatorError(
      403,
      "REQUEST_LIMIT_EXCEEDED",
      `${policy === "DailyApiRequests" ? "TotalRequests" : policy} Limit exceeded.`,
    ),
  internalError: (message) =>
    new EmulatorError(
      500,
      "UNKNOWN_EXCEPTION",
      `An unexpected error occurred. Please include this ErrorId if you contact support: ${Math.abs(hashText(message))}-0 (${message})`,
    ),
  routeNotFound: () => new EmulatorError(404, "NOT_FOUND", "The requested resource does not exist"),
  invalidRequest: (message) => new EmulatorError(400, "JSON_PARSER_ERROR", message),
  htmlPageTitle: "Service Unavailable",
});

export function notFound(): EmulatorError {
  return new EmulatorError(404, "NOT_FOUND", "The requested resource does not exist");
}

/** An error about specific fields (the body lists them in `fields`). */
export function fieldError(
  status: number,
  code: string,
  message: string,
  fields: readonly string[],
): EmulatorError {
  return new EmulatorError(status, code, message, { fields: [...fields] });
}

function hashText(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return hash;
}
