/**
 * The REST API routes under `/services/data`: versions, resources, limits, describeGlobal, sObject basic
 * information and describe, row create / retrieve / update / delete, getUpdated and getDeleted, query /
 * queryAll with their `nextRecordsUrl` batches, and sObject Collections (collections.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { EmulatorError, singleParam } from "../../../emulator/index.ts";
import { findObject, type ObjectCatalogEntry, type ObjectName } from "./catalog.ts";
import { createRecords, deleteRecords, updateRecords, upsertRecords } from "./collections.ts";
import { formatDateTime, type Org } from "./dataset.ts";
import { basicInfo, describeGlobal, describeObject } from "./describe.ts";
import { notFound } from "./errors.ts";
import { toSalesforceId } from "./ids.ts";
import { BATCH_SIZE, malformedQuery, type QueryService } from "./query.ts";
import { DAILY_WINDOW, parseApiUsage } from "./rate-limit.ts";
import { createRecord, deleteRecord, retrieveRecord, updateRecord } from "./writes.ts";

/** The newest API version the emulator speaks (Winter '25); it answers every version from 20.0 on. */
export const LATEST_VERSION = "62.0";
const OLDEST_VERSION = 20;

type Params = Record<string, string>;
type Query = Record<string, string | string[] | undefined>;

/** `v62.0` checked: an unknown version is Salesforce's NOT_FOUND. */
function versionOf(request: FastifyRequest): string {
  const version = (request.params as Params).version ?? "";
  const match = /^v(\d+)\.0$/.exec(version);
  if (!match || Number(match[1]) < OLDEST_VERSION || Number(match[1]) > Number.parseInt(LATEST_VERSION, 10)) {
    throw notFound();
  }
  return version;
}

function objectOf(request: FastifyRequest): ObjectCatalogEntry {
  versionOf(request);
  const name = (request.params as Params).object ?? "";
  const object = findObject(name);
  if (!object) throw notFound();
  return object;
}

/** `Sforce-Query-Options: batchSize=N` (200 to 2000; default 2000). */
function batchSizeOf(request: FastifyRequest): number {
  const header = request.headers["sforce-query-options"];
  const match = typeof header === "string" ? /batchSize=(\d+)/i.exec(header) : null;
  if (!match) return BATCH_SIZE.fallback;
  return Math.min(BATCH_SIZE.max, Math.max(BATCH_SIZE.min, Number(match[1])));
}

/** A `start` / `end` parameter of getUpdated and getDeleted (ISO-8601). */
function replicationDate(query: Query, name: "start" | "end"): number {
  const raw = singleParam(query[name]);
  const ms = raw === undefined ? Number.NaN : Date.parse(raw);
  if (!Number.isFinite(ms)) {
    throw new EmulatorError(
      400,
      "INVALID_REPLICATION_DATE",
      `Missing or invalid ${name} date: give an ISO-8601 date and time.`,
    );
  }
  return ms;
}

export function registerRoutes(api: FastifyInstance, org: () => Org, queries: QueryService): void {
  const data = "/services/data";
  api.get(data, async () =>
    Array.from({ length: Number.parseInt(LATEST_VERSION, 10) - OLDEST_VERSION + 1 }, (_, i) => {
      const version = `${OLDEST_VERSION + i}.0`;
      return { label: `API v${version}`, url: `${data}/v${version}`, version };
    }),
  );
  api.get(`${data}/:version`, async (request) => {
    const version = versionOf(request);
    const base = `${data}/${version}`;
    return Object.fromEntries(
      ["limits", "query", "queryAll", "sobjects"].map((name) => [name, `${base}/${name}`]),
    );
  });
  api.get(`${data}/:version/limits`, async (request, reply) => {
    versionOf(request);
    const usage = parseApiUsage(reply.getHeader("sforce-limit-info"));
    const max = usage?.max ?? 0;
    return { [DAILY_WINDOW]: { Max: max, Remaining: Math.max(0, max - (usage?.used ?? 0)) } };
  });

  // Query: a SOQL string in `q`, or the locator of the next batch.
  const runQuery = (scanAll: boolean) => async (request: FastifyRequest) => {
    const version = versionOf(request);
    const soql = singleParam((request.query as Query).q);
    if (soql === undefined || soql.trim() === "") throw malformedQuery("A query string (q) is required.");
    return queries.run(soql, { scanAll, version, batchSize: batchSizeOf(request) });
  };
  const moreResults = async (request: FastifyRequest) =>
    queries.more((request.params as Params).locator ?? "", versionOf(request));
  for (const [path, scanAll] of [
    ["query", false],
    ["queryAll", true],
  ] as const) {
    api.get(`${data}/:version/${path}`, runQuery(scanAll));
    api.get(`${data}/:version/${path}/`, runQuery(scanAll));
    api.get(`${data}/:version/${path}/:locator`, moreResults);
  }

  // Metadata.
  api.get(`${data}/:version/sobjects`, async (request) => describeGlobal(versionOf(request)));
  api.get(`${data}/:version/sobjects/:object`, async (request) =>
    basicInfo(objectOf(request), versionOf(request)),
  );
  api.get(`${data}/:version/sobjects/:object/describe`, async (request) =>
    describeObject(objectOf(request), versionOf(request)),
  );

  // Replication: what changed or was deleted between two times.
  api.get(`${data}/:version/sobjects/:object/updated`, async (request) => {
    const object = objectOf(request);
    const query = request.query as Query;
    const start = replicationDate(query, "start");
    const end = Math.min(replicationDate(query, "end"), org().clock);
    const table = org().table(object.name as ObjectName);
    const ids: string[] = [];
    for (const n of table.liveIds()) {
      const at = table.updatedAtOf(n);
      if (at >= start && at <= end) ids.push(toSalesforceId(object.keyPrefix, n));
    }
    return { ids, latestDateCovered: formatDateTime(end) };
  });
  api.get(`${data}/:version/sobjects/:object/deleted`, async (request) => {
    const object = objectOf(request);
    const query = request.query as Query;
    const start = replicationDate(query, "start");
    const end = Math.min(replicationDate(query, "end"), org().clock);
    const table = org().table(object.name as ObjectName);
    const deletedRecords: { id: string; deletedDate: string }[] = [];
    for (const n of table.archivedIds()) {
      const at = table.get(n)!.archivedAt!;
      if (at >= start && at <= end) {
        deletedRecords.push({ id: toSalesforceId(object.keyPrefix, n), deletedDate: formatDateTime(at) });
      }
    }
    return {
      deletedRecords,
      earliestDateAvailable: formatDateTime(org().clock - 15 * 86_400_000),
      latestDateCovered: formatDateTime(end),
    };
  });

  // Rows.
  api.post(`${data}/:version/sobjects/:object`, async (request, reply) => {
    const result = createRecord(org(), objectOf(request), request.body);
    return reply.code(201).send(result);
  });
  api.get(`${data}/:version/sobjects/:object/:id`, async (request) => {
    const fields = singleParam((request.query as Query).fields);
    return retrieveRecord(
      org(),
      objectOf(request),
      (request.params as Params).id!,
      versionOf(request),
      fields,
    );
  });
  const noContent = (reply: FastifyReply) => reply.code(204).send();
  api.patch(`${data}/:version/sobjects/:object/:id`, async (request, reply) => {
    updateRecord(org(), objectOf(request), (request.params as Params).id!, request.body);
    return noContent(reply);
  });
  api.delete(`${data}/:version/sobjects/:object/:id`, async (request, reply) => {
    deleteRecord(org(), objectOf(request), (request.params as Params).id!);
    return noContent(reply);
  });

  // sObject Collections: up to 200 records a request, one SaveResult each.
  const collections = `${data}/:version/composite/sobjects`;
  api.post(collections, async (request) => {
    versionOf(request);
    return createRecords(org(), request.body);
  });
  api.patch(collections, async (request) => {
    versionOf(request);
    return updateRecords(org(), request.body);
  });
  api.delete(collections, async (request) => {
    versionOf(request);
    const query = request.query as Query;
    return deleteRecords(org(), singleParam(query.ids), singleParam(query.allOrNone));
  });
  api.patch(`${collections}/:object/:field`, async (request) => {
    versionOf(request);
    const params = request.params as Params;
    return upsertRecords(org(), params.object ?? "", params.field ?? "", request.body);
  });
}
