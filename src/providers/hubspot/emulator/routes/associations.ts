/**
 * Batch association reads: v4 (`toObjectId` with association types and labels, paged per input) and v3
 * (`{id, type}` pairs). Inputs without associations come back as errors with status 207, as in HubSpot.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { v4AssociationTypes } from "../association-links.ts";
import { type BatchError, batchReply } from "../batch.ts";
import { type AssociationKind, associationKind, OBJECT_SPECS, type ObjectTypeName } from "../catalog.ts";
import { type EmulatorContext, numericId, objectTypeParam } from "../context.ts";
import type { Dataset } from "../dataset.ts";
import { validationError } from "../errors.ts";

export const MAX_BATCH_INPUTS = 1000;
/** Associations returned per input before paging. */
export const ASSOCIATIONS_PAGE_SIZE = 500;

const batchSchema = z.object({
  inputs: z.array(
    z.object({ id: z.union([z.string(), z.number()]).transform(String), after: z.string().optional() }),
  ),
});

type Params = { Params: { fromObjectType: string; toObjectType: string } };

type BatchInput = z.infer<typeof batchSchema>["inputs"][number];

/** Registers the v3 and v4 batch read routes. */
export function associationRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post(
    "/crm/v4/associations/:fromObjectType/:toObjectType/batch/read",
    (request: FastifyRequest<Params>, reply) =>
      batchRead(ctx.dataset, request, reply, (input, ids, kind) => {
        const offset = input.after === undefined ? 0 : Number(input.after);
        if (!Number.isInteger(offset) || offset < 0) throw validationError(`Invalid after "${input.after}".`);
        const nextOffset = offset + ASSOCIATIONS_PAGE_SIZE;
        return {
          from: { id: input.id },
          to: ids.slice(offset, nextOffset).map((toId) => ({
            // v4 sends the target id as a JSON number.
            toObjectId: toId,
            associationTypes: v4AssociationTypes(kind),
          })),
          ...(nextOffset < ids.length ? { paging: { next: { after: String(nextOffset) } } } : {}),
        };
      }),
  );

  app.post(
    "/crm/v3/associations/:fromObjectType/:toObjectType/batch/read",
    (request: FastifyRequest<Params>, reply) =>
      batchRead(ctx.dataset, request, reply, (input, ids, kind) => ({
        from: { id: input.id },
        to: ids.map((id) => ({ id: String(id), type: kind.primaryName })),
      })),
  );
}

/**
 * One batch read in either API version: each input with associations becomes a result shaped by
 * `toResult`; each without becomes an error, and any error makes the reply a 207.
 */
function batchRead(
  dataset: Dataset,
  request: FastifyRequest<Params>,
  reply: FastifyReply,
  toResult: (input: BatchInput, ids: readonly number[], kind: AssociationKind) => unknown,
) {
  const { from, to, kind, inputs } = parseBatch(request);
  const startedAt = new Date().toISOString();
  const results: unknown[] = [];
  const errors: BatchError[] = [];
  for (const input of inputs) {
    const found = associationsOf(dataset, from, to, input.id);
    if ("error" in found) errors.push(found.error);
    else results.push(toResult(input, found.ids, kind));
  }
  const { statusCode, body } = batchReply(results, errors, startedAt);
  return reply.code(statusCode).send(body);
}

function parseBatch(request: FastifyRequest<Params>): {
  from: ObjectTypeName;
  to: ObjectTypeName;
  kind: AssociationKind;
  inputs: z.infer<typeof batchSchema>["inputs"];
} {
  const from = objectTypeParam(request.params.fromObjectType);
  const to = objectTypeParam(request.params.toObjectType);
  const kind = associationKind(from, to);
  if (!kind) throw validationError(`There are no associations defined from ${from} to ${to}.`);
  const parsed = batchSchema.safeParse(request.body);
  if (!parsed.success) throw validationError("Invalid input JSON: expected { inputs: [{ id }] }.");
  if (parsed.data.inputs.length > MAX_BATCH_INPUTS) {
    throw validationError(
      `Batch read accepts at most ${MAX_BATCH_INPUTS} inputs, but got ${parsed.data.inputs.length}.`,
    );
  }
  return { from, to, kind, inputs: parsed.data.inputs };
}

function associationsOf(
  dataset: Dataset,
  from: ObjectTypeName,
  to: ObjectTypeName,
  rawId: string,
): { ids: number[] } | { error: BatchError } {
  const id = numericId(rawId);
  if (id === undefined || !dataset.table(from).isLive(id)) {
    return {
      error: {
        status: "error",
        category: "OBJECT_NOT_FOUND",
        message: `Could not find ${OBJECT_SPECS[from].singular} ${rawId}.`,
        context: { fromObjectId: [rawId] },
      },
    };
  }
  const ids = dataset.associatedIds(from, id, to);
  if (ids.length === 0) {
    return {
      error: {
        status: "error",
        category: "OBJECT_NOT_FOUND",
        subCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
        message: `No ${to} are associated with ${OBJECT_SPECS[from].singular} ${rawId}.`,
        context: { fromObjectId: [rawId] },
      },
    };
  }
  return { ids };
}
