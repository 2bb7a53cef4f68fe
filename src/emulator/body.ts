/**
 * Request bodies checked against a zod schema, refused in the provider's shape with every problem named by
 * its path (`properties.email: Invalid input`).
 */
import type { z } from "zod";
import type { ErrorStyle } from "./errors.ts";

/** The problems of a failed parse, one per path, joined with "; ". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
}

/** The parsed body, or the provider's 400 (`invalidRequest`) listing the problems after `prefix`. */
export function parseBody<T>(errors: ErrorStyle, schema: z.ZodType<T>, body: unknown, prefix = ""): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw errors.invalidRequest(`${prefix}${describeIssues(parsed.error)}`);
  return parsed.data;
}
