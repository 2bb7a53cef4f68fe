/**
 * CRM v3 association writes and types: `POST /crm/v3/associations/{from}/{to}/batch/{create,archive}`
 * with `{ from, to, type }` inputs, and `GET …/types`. (The v3 batch read lives in associations.ts.)
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { kindBetween, link, livePair, missingEnd, unlink } from "../association-links.ts";
import { type BatchError, batchReply } from "../batch.ts";
import type { AssociationKind } from "../catalog.ts";
import { type EmulatorContext, objectTypeParam } from "../context.ts";
import { validationError } from "../errors.ts";
import { parseBody } from "../object-writes.ts";
import { MAX_BATCH_INPUTS } from "./associations.ts";

const idSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String) });
const batchSchema = z.object({
  inputs: z
    .array(z.object({ from: idSchema, to: idSchema, type: z.string() }))
    .max(MAX_BATCH_INPUTS, `a batch takes at most ${MAX_BATCH_INPUTS} inputs`),
});

type PairParams = { Params: { fromObjectType: string; toObjectType: string } };

/** Registers the v3 association write and type routes. */
export function associationV3Routes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;
  const kindOf = (request: FastifyRequest<PairParams>) =>
    kindBetween(objectTypeParam(request.params.fromObjectType), objectTypeParam(request.params.toObjectType));

  app.get(
    "/crm/v3/associations/:fromObjectType/:toObjectType/types",
    async (request: FastifyRequest<PairParams>) => {
      const kind = kindOf(request);
      return {
        results: [
          { id: String(kind.primaryTypeId), name: kind.primaryName },
          { id: String(kind.unlabeledTypeId), name: kind.unlabeledName },
        ],
      };
    },
  );

  app.post(
    "/crm/v3/associations/:fromObjectType/:toObjectType/batch/create",
    async (request: FastifyRequest<PairParams>, reply) => {
      const startedAt = new Date().toISOString();
      const kind = kindOf(request);
      const { inputs } = parseBody(batchSchema, request.body);
      for (const input of inputs) checkTypeName(kind, input.type);
      const results: unknown[] = [];
      const errors: BatchError[] = [];
      for (const input of inputs) {
        const missing = missingEnd(dataset, kind, input.from.id, input.to.id);
        if (missing) {
          errors.push({
            status: "error",
            category: "OBJECT_NOT_FOUND",
            message: `No ${missing.end === "from" ? kind.from : kind.to} record with id ${missing.id}.`,
            context: { [`${missing.end}ObjectId`]: [missing.id] },
          });
          continue;
        }
        link(dataset, livePair(dataset, kind, input.from.id, input.to.id));
        results.push({ from: input.from, to: input.to, type: input.type });
      }
      const { statusCode, body } = batchReply(results, errors, startedAt, 201);
      return reply.code(statusCode).send(body);
    },
  );

  app.post(
    "/crm/v3/associations/:fromObjectType/:toObjectType/batch/archive",
    async (request: FastifyRequest<PairParams>, reply) => {
      const kind = kindOf(request);
      const { inputs } = parseBody(batchSchema, request.body);
      for (const input of inputs) checkTypeName(kind, input.type);
      for (const input of inputs) {
        if (!missingEnd(dataset, kind, input.from.id, input.to.id)) {
          unlink(dataset, livePair(dataset, kind, input.from.id, input.to.id));
        }
      }
      return reply.code(204).send();
    },
  );
}

/** A v3 type names one of the kind's two types, by name (`contact_to_company`, `…_unlabeled`) or id. */
function checkTypeName(kind: AssociationKind, type: string): void {
  const known = [
    kind.primaryName,
    kind.unlabeledName,
    String(kind.primaryTypeId),
    String(kind.unlabeledTypeId),
  ];
  if (known.includes(type)) return;
  throw validationError(
    `Association type ${type} is not defined from ${kind.from} to ${kind.to}; use ${kind.primaryName} or ${kind.unlabeledName}.`,
  );
}
