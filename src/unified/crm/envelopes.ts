/**
 * The envelopes around Merge's CRM models: the paginated list (`{next, previous, results}`), the write
 * request (`{model}`) and response (`{model, warnings, errors, logs}`), and the problems a write reports.
 */
import { z } from "zod";

/** `{next, previous, results}`: cursors are opaque strings, null at either end. */
export function paginatedList<T extends z.ZodType>(name: string, item: T) {
  return z
    .object({
      next: z
        .string()
        .nullable()
        .optional()
        .describe("Pass as `cursor` to get the next page; null on the last."),
      previous: z
        .string()
        .nullable()
        .optional()
        .describe("Pass as `cursor` to get the previous page; null on the first."),
      results: z.array(item).optional().describe("The objects of this page."),
    })
    .meta({ id: `crm.Paginated${name}List`, description: `A page of ${name} objects.` });
}

/** The body of a POST or PATCH: the fields to write, under `model`. */
export function writeRequest<T extends z.ZodType>(id: string, model: T) {
  return z
    .object({ model })
    .meta({ id: `crm.${id}`, description: "A write request: the fields under `model`." });
}

export const ValidationProblemSource = z
  .object({ pointer: z.string().describe("Where in the request the problem is, such as `model/stage`.") })
  .meta({ id: "crm.ValidationProblemSource" });

const problemFields = {
  source: ValidationProblemSource.optional().describe("The request field the problem is about, if any."),
  title: z.string().describe("A short summary, such as `Missing Required Field`."),
  detail: z.string().describe("What exactly was wrong."),
  problem_type: z.string().describe("A stable code, such as `MISSING_REQUIRED_FIELD` or `PROVIDER_ERROR`."),
};

export const WarningValidationProblem = z
  .object(problemFields)
  .meta({ id: "crm.WarningValidationProblem", description: "Something a write ignored or adjusted." });

export const ErrorValidationProblem = z
  .object(problemFields)
  .meta({ id: "crm.ErrorValidationProblem", description: "Something that made a write fail." });

export const DebugModeLog = z
  .object({
    log_id: z.string().describe("The id of the log entry."),
    dashboard_view: z.string().describe("Where to see the entry."),
    log_summary: z
      .object({
        url: z.string().describe("The provider URL called."),
        method: z.string().describe("The HTTP method."),
        status_code: z.number().int().describe("The provider's HTTP status."),
      })
      .meta({ id: "crm.DebugModelLogSummary" }),
  })
  .meta({ id: "crm.DebugModeLog", description: "A provider call a write made; with `is_debug_mode=true`." });

/** What a POST or PATCH answers: the written object, and what went wrong or was adjusted. */
export function writeResponse<T extends z.ZodType>(id: string, model: T) {
  return z
    .object({
      model: model.describe("The object as written."),
      warnings: z.array(WarningValidationProblem).describe("What the write ignored or adjusted."),
      errors: z.array(ErrorValidationProblem).describe("What failed; empty when the write succeeded."),
      logs: z.array(DebugModeLog).optional().describe("The provider calls made; with `is_debug_mode=true`."),
    })
    .meta({ id: `crm.${id}`, description: "The written object, with warnings and errors." });
}

/**
 * The body of a refused write (HTTP 400): the same problem lists, without a `model`. Merge's SDK leaves
 * error bodies untyped; this is the shape Merge's write troubleshooting guide shows.
 */
export const WriteErrorResponse = z
  .object({
    warnings: z.array(WarningValidationProblem).optional().describe("What the write would have adjusted."),
    errors: z.array(ErrorValidationProblem).describe("Why the write was refused."),
  })
  .meta({ id: "crm.WriteErrorResponse", description: "Why a write was refused." });

/** The body of other errors (401, 403, 404, 429): one message under `detail`, as Merge's API sends it. */
export const DetailErrorResponse = z
  .object({ detail: z.string().describe("What went wrong and what to do.") })
  .meta({ id: "crm.DetailErrorResponse", description: "An error message." });
