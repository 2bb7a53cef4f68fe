/**
 * A declared stream, as data: endpoint, where the records are, paginator, incremental cursor, delete rule
 * and schema. `defineStream` checks a spec against this schema when the provider module loads.
 */
import { z } from "zod";
import type { PaginationSpec } from "../../http/index.ts";
import { deleteRuleSchema } from "./delete-rule.ts";
import { incrementalSpecSchema } from "./incremental.ts";
import { paginationSpecSchema } from "./pagination-spec.ts";
import { type ParsedRequestSpec, requestSpecSchema } from "./request.ts";
import { schemaSpecSchema } from "./schema-spec.ts";

export const streamSpecSchema = z
  .strictObject({
    /** Short name, unique within the provider (`persons`). */
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be lower case letters, digits and _"),
    /** Record field that identifies a record (`id`); must be one of the schema's columns. */
    primaryKey: z.string().min(1),
    /** The endpoint the records come from. */
    request: requestSpecSchema,
    /** Dot path of the records array in the body (`data`, `results.items`); "" when the body is the array. */
    records: z.string(),
    paginator: paginationSpecSchema,
    /** Incremental reads; absent: every read is a full refresh. */
    incremental: incrementalSpecSchema.optional(),
    /** How deleted records are told; absent: only a full refresh notices deletions. */
    deleted: deleteRuleSchema.optional(),
    schema: schemaSpecSchema,
  })
  .superRefine((spec, ctx) => {
    if (!Object.hasOwn(spec.schema.columns, spec.primaryKey)) {
      ctx.addIssue({
        code: "custom",
        path: ["primaryKey"],
        message: `"${spec.primaryKey}" is not one of schema.columns`,
      });
    }
    // Every endpoint the stream reads: parameters it sends in the body need a POST.
    const cursorIn = spec.incremental?.in;
    requirePostForBody(ctx, ["request"], spec.request, spec.paginator, cursorIn);
    if (spec.deleted?.type === "endpoint") {
      const { request, paginator = spec.paginator, since } = spec.deleted;
      requirePostForBody(ctx, ["deleted", "request"], request, paginator, since ? cursorIn : undefined);
    }
    const discover = spec.schema.discover;
    if (discover)
      requirePostForBody(ctx, ["schema", "discover", "request"], discover.request, discover.paginator);
    if (spec.deleted?.type === "endpoint" && spec.deleted.since && !spec.incremental) {
      ctx.addIssue({
        code: "custom",
        path: ["deleted", "since"],
        message: "needs the stream's incremental cursor (declare incremental)",
      });
    }
  });

function requirePostForBody(
  ctx: z.RefinementCtx,
  path: string[],
  request: ParsedRequestSpec,
  paginator: PaginationSpec | undefined,
  cursorIn?: "query" | "body",
): void {
  const pagingIn = paginator && "in" in paginator ? paginator.in : undefined;
  if (request.method === "POST" || (pagingIn !== "body" && cursorIn !== "body")) return;
  ctx.addIssue({
    code: "custom",
    path: [...path, "method"],
    message: 'parameters sent "in": "body" need method POST',
  });
}

/** A stream spec as a provider writes it (defaults may be left out). */
export type StreamSpec = z.input<typeof streamSpecSchema>;
/** A checked stream spec, defaults filled in. */
export type ParsedStreamSpec = z.output<typeof streamSpecSchema>;
