/**
 * Request bodies checked against a zod schema, refused in the provider's shape with every problem named by
 * its path (`properties.email: Invalid input`).
 */
import type { z } from "zod";
import { describeIssues } from "../core/index.ts";
import type { ErrorStyle } from "./errors.ts";

/** The parsed body, or the provider's 400 (`invalidRequest`) listing the problems after `prefix`. */
export function parseBody<T>(errors: ErrorStyle, schema: z.ZodType<T>, body: unknown, prefix = ""): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw errors.invalidRequest(`${prefix}${describeIssues(parsed.error.issues, { root: "body" })}`);
  return parsed.data;
}
