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
 * Validates a request's params, query and body against the route's schemas. Returns the parsed values,
 * or throws one RequestInvalidError naming every invalid field of all three.
 */
export function parseInput(
  route: Pick<AnyRoute, "params" | "query" | "body">,
  raw: { params: unknown; query: unknown; body: unknown },
): { params: unknown; query: unknown; body: unknown } {
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
  if (issues.length > 0) throw new RequestInvalidError(issues);
  return { params, query, body };
}
