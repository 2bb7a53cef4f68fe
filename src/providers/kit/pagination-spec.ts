/**
 * The zod schema of `PaginationSpec` (src/http/pagination.ts), so a declared paginator is checked when the
 * stream is defined; the paging itself is that module's `createPaginator` and `paginate`.
 */
import { z } from "zod";
import type { PaginationSpec } from "../../http/index.ts";

const location = z.enum(["query", "body"]).optional();
const positive = z.number().int().min(1);

export const paginationSpecSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("cursor"),
    cursorPath: z.string().min(1),
    param: z.string().min(1),
    in: location,
  }),
  z.strictObject({ type: z.literal("next_url"), nextPath: z.string().min(1) }),
  z.strictObject({ type: z.literal("link_header") }),
  z.strictObject({
    type: z.literal("offset"),
    offsetParam: z.string().min(1),
    limitParam: z.string().min(1),
    limit: positive,
    in: location,
  }),
  z.strictObject({
    type: z.literal("page_number"),
    pageParam: z.string().min(1),
    firstPage: z.number().int().min(0).optional(),
    sizeParam: z.string().min(1).optional(),
    size: positive.optional(),
    in: location,
  }),
]);

// The schema must accept exactly what the http module's type describes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAsHttp: Same<z.output<typeof paginationSpecSchema>, PaginationSpec> = true;
void sameAsHttp;
