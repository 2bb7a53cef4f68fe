import type { z } from "zod";
import { type FieldIssue, RequestInvalidError } from "../core/index.ts";
import type { AnyRoute } from "./route.ts";

type Location = FieldIssue["location"];

/** Zod issues as field issues; unknown keys become one issue each, named by their path. */
export function toFieldIssues(location: Location, issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        location,
        path: base ? `${base}.${key}` : key,
        message: "Unknown field; check its spelling against the API reference.",
      }));
    }
    return [{ location, path: base, message: issue.message }];
  });
}

/**
 * Validates a request's params, query, body and declared headers against the route's schemas. Returns the
 * parsed values, or throws one RequestInvalidError naming every invalid field of all four.
 */
export function parseInput(
  route: Pick<AnyRoute, "params" | "query" | "body" | "headers">,
  raw: { params: unknown; query: unknown; body: unknown; headers?: unknown },
): { params: unknown; query: unknown; body: unknown; headers: Record<string, unknown> } {
  const issues: FieldIssue[] = [];
  const parse = (location: Location, schema: z.ZodType | undefined, value: unknown): unknown => {
    if (!schema) return undefined;
    const result = schema.safeParse(value ?? (location === "body" ? undefined : {}));
    if (result.success) return result.data;
    issues.push(...toFieldIssues(location, result.error.issues));
    return undefined;
  };
  const params = parse("params", route.params, raw.params);
  const query = parse("query", route.query, raw.query);
  const body = parse("body", route.body, raw.body);
  // Only the declared headers are read (the schema strips the others).
  const headers = parse("headers", route.headers, raw.headers) as Record<string, unknown> | undefined;
  if (issues.length > 0) throw new RequestInvalidError(issues);
  return { params, query, body, headers: headers ?? {} };
}
