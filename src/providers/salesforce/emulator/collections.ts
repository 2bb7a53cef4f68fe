/**
 * sObject Collections (`/composite/sobjects`): create (POST), update (PATCH), delete (DELETE `?ids=`) and
 * upsert by an external id field (PATCH `/composite/sobjects/{object}/{field}`), up to 200 records a request.
 * The answer is 200 with one SaveResult per record, in order: `{ id, success: true, errors: [] }` or
 * `{ success: false, errors: [{ statusCode, message, fields }] }`. Each record is checked exactly as the
 * single-row routes check it (writes.ts). With `allOrNone`, nothing is written unless every record passes,
 * and the records that passed answer ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
import { EmulatorError } from "../../../emulator/index.ts";
import { CATALOG, findObject, type ObjectCatalogEntry, type ObjectName } from "./catalog.ts";
import type { Org } from "./dataset.ts";
import { looksLikeId, toSalesforceId } from "./ids.ts";
import { type PreparedWrite, prepareCreate, prepareDelete, prepareUpdate } from "./writes.ts";

export const COLLECTION_MAX = 200;

type SaveError = { statusCode: string; message: string; fields: string[] };
export type CollectionResult = {
  id?: string;
  success: boolean;
  errors: SaveError[];
  created?: boolean;
};

/** One record's checked write: its commit, or why Salesforce refused it. */
type Checked = { id?: string; commit: PreparedWrite<CollectionResult> } | { id?: string; error: SaveError };

const ROLLED_BACK: SaveError = {
  statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
  message: "Record rolled back because not all records were valid and the request was using AllOrNone header",
  fields: [],
};

function saveError(error: unknown): SaveError {
  if (!(error instanceof EmulatorError)) throw error;
  const fields = Array.isArray(error.details.fields) ? (error.details.fields as string[]) : [];
  return { statusCode: error.code, message: error.message, fields };
}

/** Runs `check`, turning Salesforce's refusal of this one record into its error. */
function checked(id: string | undefined, check: () => PreparedWrite<CollectionResult>): Checked {
  try {
    return { ...(id === undefined ? {} : { id }), commit: check() };
  } catch (error) {
    return { ...(id === undefined ? {} : { id }), error: saveError(error) };
  }
}

/** `{ allOrNone?, records: [...] }`, at most 200 records; anything else is refused as a whole. */
function collectionBody(body: unknown): { allOrNone: boolean; records: Record<string, unknown>[] } {
  const value = (body ?? {}) as { allOrNone?: unknown; records?: unknown };
  if (typeof body !== "object" || body === null || !Array.isArray(value.records)) {
    throw new EmulatorError(
      400,
      "JSON_PARSER_ERROR",
      "The request body must be { allOrNone, records: [...] }.",
    );
  }
  if (value.allOrNone !== undefined && typeof value.allOrNone !== "boolean") {
    throw new EmulatorError(400, "JSON_PARSER_ERROR", "allOrNone must be true or false.");
  }
  if (value.records.length > COLLECTION_MAX) tooMany();
  const records = value.records.map((record) => {
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new EmulatorError(400, "JSON_PARSER_ERROR", "Each entry of records must be a JSON object.");
    }
    return record as Record<string, unknown>;
  });
  return { allOrNone: value.allOrNone === true, records };
}

function tooMany(): never {
  throw new EmulatorError(
    400,
    "EXCEEDED_ID_LIMIT",
    `record limit reached. cannot submit more than ${COLLECTION_MAX} records into this call`,
  );
}

/** The sObject a record's `attributes.type` names. */
function typeOf(record: Record<string, unknown>): ObjectCatalogEntry {
  const type = (record.attributes as { type?: unknown } | undefined)?.type;
  if (typeof type !== "string" || type === "") {
    throw new EmulatorError(400, "INVALID_TYPE", "Must send a concrete entity type.");
  }
  const object = findObject(type);
  if (!object) throw new EmulatorError(400, "INVALID_TYPE", `sObject type '${type}' is not supported.`);
  return object;
}

/** A record's fields without `attributes` and the id the collection call carries beside them. */
function fieldsOf(record: Record<string, unknown>, drop: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => !drop.includes(name)));
}

/** Commits every write (allOrNone: only if none was refused) and answers one SaveResult per record. */
function settle(checks: readonly Checked[], allOrNone: boolean): CollectionResult[] {
  const refused = checks.some((check) => "error" in check);
  return checks.map((check) => {
    const id = check.id === undefined ? {} : { id: check.id };
    if ("error" in check) return { ...id, success: false, errors: [check.error] };
    if (allOrNone && refused) return { ...id, success: false, errors: [ROLLED_BACK] };
    return check.commit();
  });
}

/** Applies each write in order (without allOrNone a later record may name one an earlier one created). */
function run(
  records: readonly Record<string, unknown>[],
  allOrNone: boolean,
  check: (record: Record<string, unknown>) => Checked,
): CollectionResult[] {
  if (allOrNone) return settle(records.map(check), true);
  return records.map((record) => settle([check(record)], false)[0]!);
}

export function createRecords(org: Org, body: unknown): CollectionResult[] {
  const { allOrNone, records } = collectionBody(body);
  return run(records, allOrNone, (record) =>
    checked(undefined, () => {
      if (record.id !== undefined || record.Id !== undefined) {
        throw new EmulatorError(
          400,
          "INVALID_FIELD_FOR_INSERT_UPDATE",
          "cannot specify Id in an insert call",
        );
      }
      return prepareCreate(org, typeOf(record), fieldsOf(record, ["attributes"]));
    }),
  );
}

export function updateRecords(org: Org, body: unknown): CollectionResult[] {
  const { allOrNone, records } = collectionBody(body);
  return run(records, allOrNone, (record) => {
    const id = typeof record.id === "string" ? record.id : typeof record.Id === "string" ? record.Id : "";
    return checked(id || undefined, () => {
      if (id === "") throw new EmulatorError(400, "MISSING_ARGUMENT", "Id not specified in an update call");
      const update = prepareUpdate(org, typeOf(record), id, fieldsOf(record, ["attributes", "id", "Id"]));
      return () => {
        update();
        return { id, success: true, errors: [] };
      };
    });
  });
}

/** `?ids=a,b,c` (any objects, by their key prefixes) and `allOrNone=true|false`. */
export function deleteRecords(org: Org, ids: string | undefined, allOrNoneParam: string | undefined) {
  const list = (ids ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  if (list.length === 0) throw new EmulatorError(400, "MISSING_ARGUMENT", "ids parameter must be specified");
  if (list.length > COLLECTION_MAX) tooMany();
  const allOrNone = allOrNoneParam?.toLowerCase() === "true";
  return run(
    list.map((id) => ({ id })),
    allOrNone,
    ({ id }) =>
      checked(id as string, () => {
        const object = CATALOG.find((entry) => entry.keyPrefix === (id as string).slice(0, 3));
        if (!object) {
          throw new EmulatorError(400, "MALFORMED_ID", `malformed id ${id as string}`);
        }
        const remove = prepareDelete(org, object, id as string);
        return () => {
          remove();
          return { id: id as string, success: true, errors: [] };
        };
      }),
  );
}

/**
 * The live records of `object` by their value of `field` (a field marked external id), lower-cased: Salesforce
 * matches external ids case-insensitively unless the field is marked case-sensitive. Read once per request
 * (its records may not repeat a key, so none matches another of the same request).
 */
function idsByValue(org: Org, object: ObjectCatalogEntry, field: string): Map<string, string[]> {
  const table = org.table(object.name as ObjectName);
  const ids = new Map<string, string[]>();
  for (const n of table.liveIds()) {
    const held = table.get(n)!.fields[field];
    if (typeof held !== "string") continue;
    const key = held.toLowerCase();
    ids.set(key, [...(ids.get(key) ?? []), toSalesforceId(object.keyPrefix, n)]);
  }
  return ids;
}

/** The live record whose Id is `value`, as a list of none or one. */
function byId(org: Org, object: ObjectCatalogEntry, value: string): string[] {
  const n = looksLikeId(value) ? org.numberOf(object, value) : undefined;
  return n !== undefined && org.table(object.name as ObjectName).isLive(n)
    ? [toSalesforceId(object.keyPrefix, n)]
    : [];
}

/**
 * Upsert by `field` (Id, or a field whose describe says externalId): a record whose value matches a live one
 * updates it (`created: false`), else it is created (`created: true`); a record without a value is refused.
 */
export function upsertRecords(
  org: Org,
  objectName: string,
  field: string,
  body: unknown,
): CollectionResult[] {
  const object = findObject(objectName);
  if (!object) throw new EmulatorError(404, "NOT_FOUND", "The requested resource does not exist");
  const key = object.field(field);
  if (!key || (key.name !== "Id" && !key.externalId)) {
    throw new EmulatorError(
      400,
      "INVALID_FIELD",
      `Field name provided, ${field} is not an External ID or indexed field for ${object.name}`,
    );
  }
  const { allOrNone, records } = collectionBody(body);
  // Salesforce refuses every record of a request whose key another record of it repeats.
  const sent = new Map<string, number>();
  for (const record of records) {
    const value = record[key.name];
    if (typeof value === "string") sent.set(value.toLowerCase(), (sent.get(value.toLowerCase()) ?? 0) + 1);
  }
  const held = key.name === "Id" ? new Map<string, string[]>() : idsByValue(org, object, key.name);
  return run(records, allOrNone, (record) =>
    checked(undefined, () => {
      if (typeOf(record).name !== object.name) {
        throw new EmulatorError(400, "INVALID_TYPE", `Records must all be of type ${object.name}.`);
      }
      const value = record[key.name];
      if (typeof value !== "string" || value === "") {
        throw new EmulatorError(400, "MISSING_ARGUMENT", `${key.name} not specified`);
      }
      if ((sent.get(value.toLowerCase()) ?? 0) > 1) {
        throw new EmulatorError(400, "DUPLICATE_EXTERNAL_ID", `Duplicate external id specified: ${value}`, {
          fields: [key.name],
        });
      }
      const matches = key.name === "Id" ? byId(org, object, value) : (held.get(value.toLowerCase()) ?? []);
      if (matches.length > 1) {
        throw new EmulatorError(
          300,
          "DUPLICATE_EXTERNAL_ID",
          `${key.name}: more than one record found for external id field: [${matches.join(", ")}]`,
          { fields: [key.name] },
        );
      }
      const existing = matches[0];
      const fields = fieldsOf(record, key.name === "Id" ? ["attributes", "Id"] : ["attributes"]);
      if (existing !== undefined) {
        const update = prepareUpdate(org, object, existing, fields);
        return () => {
          update();
          return { id: existing, success: true, errors: [], created: false };
        };
      }
      if (key.name === "Id")
        throw new EmulatorError(
          404,
          "NOT_FOUND",
          `Provided external ID field does not exist or is not accessible: ${value}`,
        );
      const create = prepareCreate(org, object, fields);
      return () => ({ ...create(), created: true });
    }),
  );
}
