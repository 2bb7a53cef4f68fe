/** Schemas shared by several routes: pagination, ids, query-string helpers, timestamps. */
import { z } from "zod";

/** An id in a path (`/v1/connections/:id`). */
export const idParams = z.strictObject({ id: z.string().min(1).max(200).describe("The object's id.") });

/** An integer in a query string (sent as text) between min and max. */
export function queryInt(min: number, max: number) {
  return z
    .union([z.number(), z.string().regex(/^-?\d+$/, "Expected an integer.")])
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** A boolean in a query string: `true` or `false`. */
export function queryBoolean() {
  return z
    .union([z.boolean(), z.enum(["true", "false"])])
    .transform((value) => value === true || value === "true");
}

/**
 * The items of a list in a query string, repeated (`?tag=a&tag=b`) or comma-separated (`?tag=a,b`): each
 * trimmed, then passed through `normalise`, empty ones dropped. Pipe the result into the item schema.
 */
export function queryItems(normalise: (item: string) => string = (item) => item) {
  return z.union([z.string(), z.array(z.string())]).transform((value) =>
    [value]
      .flat()
      .flatMap((part) => part.split(","))
      .map((part) => normalise(part.trim()))
      .filter((part) => part !== ""),
  );
}

/** A list in a query string: repeated (`?tag=a&tag=b`) or comma-separated (`?tag=a,b`). */
export function queryList(item: z.ZodString) {
  return queryItems().pipe(z.array(item).max(20));
}

/** `limit` and `cursor` of a cursor-paginated list. */
export const pageQuery = {
  limit: queryInt(1, 200).default(50).describe("Items per page (1–200, default 50)."),
  cursor: z.string().max(500).optional().describe("The `next_cursor` of the previous page."),
};

/** A page of `item`s, newest first, with the cursor of the next page (null on the last page). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    next_cursor: z
      .string()
      .nullable()
      .describe("Pass as `cursor` to get the next page; null on the last page."),
  });
}

export const timestamp = z.string().describe("ISO-8601 UTC timestamp.");

/**
 * Text an id or a name can be: `min`–`max` characters, none of them a control character (NUL, tab, CR,
 * LF, DEL…), which would corrupt logs, headers and the terminals that show it.
 */
export function plainText(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .regex(/^\P{Cc}*$/u, "Must not contain control characters (NUL, tab, CR, LF…).");
}

/** A machine-readable error summary stored on a run or a connection. */
export const errorSummary = z
  .object({ code: z.string(), message: z.string(), hint: z.string().optional() })
  .meta({ id: "ErrorSummary" });
