/**
 * CRM v4 association writes and per-record reads: `PUT`/`DELETE`/`GET /crm/v4/objects/{type}/{id}/
 * associations/...` and `POST /crm/v4/associations/{from}/{to}/batch/{create,associate/default,archive}`.
 * (Batch reads live in associations.ts with their v3 twin.)
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  kindBetween,
  labelsBetween,
  labelsFor,
  link,
  liveId,
  livePair,
  missingEnd,
  unlink,
  v4AssociationTypes,
} from "../association-links.ts";
import { type BatchError, batchReply } from "../batch.ts";
import type { AssociationKind } from "../catalog.ts";
import { type EmulatorContext, objectTypeParam, singleParam } from "../context.ts";
import { validationError } from "../errors.ts";
import { parseBody } from "../object-writes.ts";
import { MAX_BATCH_INPUTS } from "./associations.ts";

export const DEFAULT_ASSOCIATIONS_LIMIT = 500;

const idSchema = z.union([z.string(), z.number()]).transform(String);
const objectIdSchema = z.object({ id: idSchema });
const specsSchema = z.array(z.object({ associationCategory: z.string(), associationTypeId: z.number() }));
const batchOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    inputs: z.array(item).max(MAX_BATCH_INPUTS, `a batch takes at most ${MAX_BATCH_INPUTS} inputs`),
  });
const batchCreateSchema = batchOf(z.object({ from: objectIdSchema, to: objectIdSchema, types: specsSchema }));
const batchDefaultSchema = batchOf(z.object({ from: objectIdSchema, to: objectIdSchema }));
const batchArchiveSchema = batchOf(z.object({ from: objectIdSchema, to: z.array(objectIdSchema) }));

type RecordParams = {
  Params: { objectType: string; objectId: string; toObjectType: string; toObjectId?: string };
  Querystring: Record<string, string | string[] | undefined>;
};
type PairParams = { Params: { fromObjectType: string; toObjectType: string } };

/** Registers the v4 association routes other than batch read. */
export function associationV4Routes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { dataset } = ctx;
  const kindOf = (params: { toObjectType: string } & ({ objectType: string } | { fromObjectType: string })) =>
    kindBetween(
      objectTypeParam("objectType" in params ? params.objectType : params.fromObjectType),
      objectTypeParam(params.toObjectType),
    );

  app.put(
    "/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId",
    async (request: FastifyRequest<RecordParams>, reply) => {
      const kind = kindOf(request.params);
      const labels = labelsFor(kind, parseBody(specsSchema, request.body));
      const pair = livePair(dataset, kind, request.params.objectId, request.params.toObjectId ?? "");
      link(dataset, pair);
      return reply.code(201).send(labelsBetween(pair, labels));
    },
  );

  app.put(
    "/crm/v4/objects/:objectType/:objectId/associations/default/:toObjectType/:toObjectId",
    async (request: FastifyRequest<RecordParams>, reply) => {
      const startedAt = new Date().toISOString();
      const kind = kindOf(request.params);
      const pair = livePair(dataset, kind, request.params.objectId, request.params.toObjectId ?? "");
      link(dataset, pair);
      const { statusCode, body } = batchReply(
        [defaultAssociation(kind, pair.fromId, pair.toId)],
        [],
        startedAt,
      );
      return reply.code(statusCode).send(body);
    },
  );

  app.delete(
    "/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId",
    async (request: FastifyRequest<RecordParams>, reply) => {
      const kind = kindOf(request.params);
      unlink(dataset, livePair(dataset, kind, request.params.objectId, request.params.toObjectId ?? ""));
      return reply.code(204).send();
    },
  );

  app.get(
    "/crm/v4/objects/:objectType/:objectId/associations/:toObjectType",
    async (request: FastifyRequest<RecordParams>, reply) => {
      const kind = kindOf(request.params);
      const fromId = liveId(dataset, kind, "from", request.params.objectId);
      const limit = pageParam(singleParam(request.query.limit), "limit", DEFAULT_ASSOCIATIONS_LIMIT);
      const offset = pageParam(singleParam(request.query.after), "after", 0);
      const ids = dataset.associatedIds(kind.from, fromId, kind.to);
      const results = ids.slice(offset, offset + limit).map((toObjectId) => ({
        toObjectId,
        associationTypes: v4AssociationTypes(kind),
      }));
      const next = offset + limit;
      return reply.send({
        results,
        ...(next < ids.length ? { paging: { next: { after: String(next) } } } : {}),
      });
    },
  );

  // The association types defined between two object types (read-only: no custom labels).
  app.get(
    "/crm/v4/associations/:fromObjectType/:toObjectType/labels",
    async (request: FastifyRequest<PairParams>) => ({ results: v4AssociationTypes(kindOf(request.params)) }),
  );

  app.post(
    "/crm/v4/associations/:fromObjectType/:toObjectType/batch/create",
    async (request: FastifyRequest<PairParams>, reply) => {
      const startedAt = new Date().toISOString();
      const kind = kindOf(request.params);
      const { inputs } = parseBody(batchCreateSchema, request.body);
      const labels = inputs.map((input) => labelsFor(kind, input.types));
      const results: unknown[] = [];
      const errors: BatchError[] = [];
      inputs.forEach((input, index) => {
        const missing = missingEnd(dataset, kind, input.from.id, input.to.id);
        if (missing) {
          errors.push(missingError(kind, missing));
          return;
        }
        const pair = livePair(dataset, kind, input.from.id, input.to.id);
        link(dataset, pair);
        results.push(labelsBetween(pair, labels[index]!));
      });
      const { statusCode, body } = batchReply(results, errors, startedAt, 201);
      return reply.code(statusCode).send(body);
    },
  );

  app.post(
    "/crm/v4/associations/:fromObjectType/:toObjectType/batch/associate/default",
    async (request: FastifyRequest<PairParams>, reply) => {
      const startedAt = new Date().toISOString();
      const kind = kindOf(request.params);
      const { inputs } = parseBody(batchDefaultSchema, request.body);
      const results: unknown[] = [];
      const errors: BatchError[] = [];
      for (const input of inputs) {
        const missing = missingEnd(dataset, kind, input.from.id, input.to.id);
        if (missing) {
          errors.push(missingError(kind, missing));
          continue;
        }
        const pair = livePair(dataset, kind, input.from.id, input.to.id);
        link(dataset, pair);
        results.push(defaultAssociation(kind, pair.fromId, pair.toId));
      }
      // The client reads this call's answer as a 200 only (HubSpot sends errors in the same envelope).
      const { body } = batchReply(results, errors, startedAt);
      return reply.code(200).send(body);
    },
  );

  app.post(
    "/crm/v4/associations/:fromObjectType/:toObjectType/batch/archive",
    async (request: FastifyRequest<PairParams>, reply) => {
      const kind = kindOf(request.params);
      const { inputs } = parseBody(batchArchiveSchema, request.body);
      for (const input of inputs) {
        for (const to of input.to) {
          // Like HubSpot: 204 even when a record or association does not exist.
          if (!missingEnd(dataset, kind, input.from.id, to.id)) {
            unlink(dataset, livePair(dataset, kind, input.from.id, to.id));
          }
        }
      }
      return reply.code(204).send();
    },
  );
}

/** A `PublicDefaultAssociation`: the pair and the default (unlabeled) type it got. */
function defaultAssociation(kind: AssociationKind, fromId: number, toId: number) {
  return {
    from: { id: String(fromId) },
    to: { id: String(toId) },
    associationSpec: { associationCategory: "HUBSPOT_DEFINED", associationTypeId: kind.unlabeledTypeId },
  };
}

function missingError(kind: AssociationKind, missing: { end: "from" | "to"; id: string }): BatchError {
  const type = missing.end === "from" ? kind.from : kind.to;
  return {
    status: "error",
    category: "OBJECT_NOT_FOUND",
    message: `No ${type} record with id ${missing.id}.`,
    context: { [`${missing.end}ObjectId`]: [missing.id] },
  };
}

/** A non-negative integer query value (`limit` 1..500, `after` an offset), else HubSpot's 400. */
function pageParam(raw: string | undefined, name: "limit" | "after", fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  const max = name === "limit" ? DEFAULT_ASSOCIATIONS_LIMIT : Number.MAX_SAFE_INTEGER;
  const min = name === "limit" ? 1 : 0;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw validationError(
      name === "limit"
        ? `limit must be an integer between 1 and ${max}, but was ${raw}.`
        : `after must be a paging cursor returned by a previous page, but was "${raw}".`,
    );
  }
  return value;
}
