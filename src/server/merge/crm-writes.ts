/**
 * Merge's CRM writes: `POST /api/crm/v1/{contacts,accounts,opportunities}` with `{model}` and
 * `PATCH /api/crm/v1/{...}/{id}`, answered with `{model, warnings, errors}` (and `logs` with `is_debug_mode`). They run the linked account's
 * provider action synchronously; the written object is in reads at once. A refused write answers 400 with
 * Merge's `errors` list, carrying the provider's own message. `Idempotency-Key` makes a retry safe.
 */
import { z } from "zod";
import { ActionRefusedError } from "../../app/actions/errors.ts";
import { answerIdempotently } from "../../app/actions/idempotency.ts";
import {
  createUnified,
  type UnifiedWriteDeps,
  type UnifiedWriteResult,
  updateUnified,
} from "../../app/actions/unified-writes.ts";
import type { PlatformDeps } from "../../app/platform.ts";
import { RequestInvalidError } from "../../core/index.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { unifiedWriters } from "../../providers/unified-writers.ts";
import { DetailErrorResponse, WriteErrorResponse } from "../../unified/crm/index.ts";
import { getUnifiedModel } from "../../unified/registry.ts";
import { type WritableModel, WriteFieldError } from "../../unified/writers.ts";
import { defineRoute } from "../route.ts";
import { idempotencyHeaders } from "../routes/actions.ts";
import { queryBoolean } from "../schemas.ts";

/** Merge's write query parameters; `run_async` is accepted and the write still runs synchronously. */
const writeQuery = z.looseObject({
  is_debug_mode: queryBoolean()
    .optional()
    .describe("Add `logs`: the provider calls the write made (method, redacted URL, status)."),
  run_async: queryBoolean().optional().describe("Accepted; writes always run synchronously."),
});

export function writeDepsOf(deps: PlatformDeps): UnifiedWriteDeps {
  return { ...deps, mappers: unifiedMappers, writers: unifiedWriters };
}

type ErrorProblem = z.input<typeof WriteErrorResponse>["errors"][number];

/** A refused write as Merge's 400 body, or undefined for errors answered otherwise (`{detail}`). */
export function writeErrorBody(error: unknown): z.input<typeof WriteErrorResponse> | undefined {
  let errors: ErrorProblem[] | undefined;
  if (error instanceof ActionRefusedError) {
    errors = [
      { title: `${error.provider} Error`, detail: error.providerMessage, problem_type: "PROVIDER_ERROR" },
    ];
  } else if (error instanceof WriteFieldError) {
    errors = [
      {
        source: { pointer: `model/${error.field}` },
        title: "Invalid Field",
        detail: error.message,
        problem_type: "INVALID_FIELD",
      },
    ];
  } else if (error instanceof RequestInvalidError) {
    // The provider action's own input checks, on what the request's model became.
    errors = error.issues.map((issue) => ({
      title: "Invalid Field",
      detail: `${issue.path.replace(/^input\.?/, "") || "model"}: ${issue.message}`,
      problem_type: "INVALID_FIELD",
    }));
  }
  return errors ? { warnings: [], errors } : undefined;
}

function answer(result: UnifiedWriteResult) {
  return {
    model: result.model,
    warnings: result.warnings,
    errors: [],
    ...(result.logs ? { logs: result.logs } : {}),
  };
}

/** The POST and PATCH routes of one writable model. */
/** What a write can answer besides its 400 list of field errors. */
const WRITE_ERRORS = [
  "not_found",
  "idempotency_key_reused",
  "conflict",
  "credentials_rejected",
  "provider_unavailable",
] as const;

function writeRoutes(model: WritableModel, operation: string) {
  const unified = getUnifiedModel("crm", model);
  const writes = unified.writes!;
  const url = `/api/crm/v1/${unified.path}`;
  const create = defineRoute({
    method: "POST",
    url,
    name: `${operation}Create`,
    summary: `Create one of ${unified.path}`,
    description:
      `Merge's \`POST /crm/v1/${unified.path}\`: creates a ${model} at the linked account's provider, ` +
      "synchronously, and answers it as reads show it.",
    tags: ["Unified CRM"],
    auth: "account_token",
    query: writeQuery,
    headers: idempotencyHeaders,
    body: writes.createBody,
    response: { 201: writes.response, 400: WriteErrorResponse },
    errors: WRITE_ERRORS,
    errorBody: DetailErrorResponse,
  }).handle(async ({ body, query, headers, account, caller, deps }) => {
    const fields = (body as { model: Record<string, unknown> }).model;
    const options = { debug: query.is_debug_mode === true };
    return answerIdempotently(
      deps.db,
      {
        environmentId: caller.environmentId,
        key: headers["idempotency-key"] as string | undefined,
        method: "POST",
        path: url,
        connectionId: account.id,
        body: fields,
      },
      async () => {
        try {
          return {
            status: 201 as const,
            body: answer(await createUnified(writeDepsOf(deps), account, model, fields, options)),
          };
        } catch (error) {
          const refused = writeErrorBody(error);
          if (refused) return { status: 400 as const, body: refused };
          throw error;
        }
      },
    );
  });
  const patch = defineRoute({
    method: "PATCH",
    url: `${url}/:id`,
    name: `${operation}PartialUpdate`,
    summary: `Update one of ${unified.path}`,
    description:
      `Merge's \`PATCH /crm/v1/${unified.path}/{id}\`: changes the given fields of a ${model} at the provider; ` +
      "fields left out stay as they are.",
    tags: ["Unified CRM"],
    auth: "account_token",
    params: z.strictObject({ id: z.string().min(1).max(200).describe("Switchyard's id of the object.") }),
    query: writeQuery,
    headers: idempotencyHeaders,
    body: writes.patchBody,
    response: { 200: writes.response, 400: WriteErrorResponse },
    errors: WRITE_ERRORS,
    errorBody: DetailErrorResponse,
  }).handle(async ({ params, body, query, headers, account, caller, deps }) => {
    const fields = (body as { model: Record<string, unknown> }).model;
    const options = { debug: query.is_debug_mode === true };
    return answerIdempotently(
      deps.db,
      {
        environmentId: caller.environmentId,
        key: headers["idempotency-key"] as string | undefined,
        method: "PATCH",
        path: `${url}/${params.id}`,
        connectionId: account.id,
        body: fields,
      },
      async () => {
        try {
          const result = await updateUnified(writeDepsOf(deps), account, model, params.id, fields, options);
          return { status: 200 as const, body: answer(result) };
        } catch (error) {
          const refused = writeErrorBody(error);
          if (refused) return { status: 400 as const, body: refused };
          throw error;
        }
      },
    );
  });
  return [create, patch] as const;
}

export const crmWriteRoutes = [
  ...writeRoutes("Contact", "contacts"),
  ...writeRoutes("Account", "accounts"),
  ...writeRoutes("Opportunity", "opportunities"),
] as const;
