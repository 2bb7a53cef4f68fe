/**
 * sObject rows: create (`POST /sobjects/{object}`), retrieve, update (`PATCH`) and delete, with Salesforce's
 * checks and refusals: unknown fields (INVALID_FIELD), fields an API write may not set
 * (INVALID_FIELD_FOR_INSERT_UPDATE), missing required fields (REQUIRED_FIELD_MISSING), values of the wrong
 * type (JSON_PARSER_ERROR), too long (STRING_TOO_LONG), malformed ids (MALFORMED_ID), references to no
 * record (INVALID_CROSS_REFERENCE_KEY) and deleted records (ENTITY_IS_DELETED).
 */
import { EmulatorError } from "../../../emulator/index.ts";
import {
  type FieldSpec,
  isRequired,
  isWritable,
  type ObjectCatalogEntry,
  type ObjectName,
} from "./catalog.ts";
import type { Org, RenderedRecord } from "./dataset.ts";
import { fieldError, notFound } from "./errors.ts";
import { ADMIN_USER_ID, type Fields } from "./generate.ts";
import { caseSuffix, looksLikeId, toSalesforceId } from "./ids.ts";

const NUMERIC = new Set(["int", "double", "currency", "percent"]);

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new EmulatorError(
      400,
      "JSON_PARSER_ERROR",
      "The request body must be a JSON object of field values.",
    );
  }
  return body as Record<string, unknown>;
}

/** One field value checked against its type; returns the value to store. */
function checkValue(org: Org, field: FieldSpec, value: unknown): string | number | boolean | null {
  const wrongType = (expected: string) =>
    new EmulatorError(
      400,
      "JSON_PARSER_ERROR",
      `Cannot deserialize instance of ${expected} from ${typeof value === "string" ? `VALUE_STRING value ${value}` : JSON.stringify(value)} or request may be missing a required field at [line:1, column:1]`,
    );
  if (value === null) return null;
  if (field.type === "boolean") {
    if (typeof value !== "boolean") throw wrongType("boolean");
    return value;
  }
  if (NUMERIC.has(field.type)) {
    if (typeof value !== "number" || !Number.isFinite(value))
      throw wrongType(field.type === "int" ? "int" : "double");
    if (field.type === "int" && !Number.isInteger(value)) throw wrongType("int");
    return value;
  }
  if (typeof value !== "string") throw wrongType("string");
  if (field.type === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw fieldError(
      400,
      "INVALID_TYPE_ON_FIELD_IN_RECORD",
      `${field.label}: value not of required type: ${value}`,
      [field.name],
    );
  }
  if (field.type === "datetime" && !Number.isFinite(Date.parse(value))) {
    throw fieldError(
      400,
      "INVALID_TYPE_ON_FIELD_IN_RECORD",
      `${field.label}: value not of required type: ${value}`,
      [field.name],
    );
  }
  if (field.length !== undefined && value.length > field.length) {
    throw fieldError(
      400,
      "STRING_TOO_LONG",
      `${field.label}: data value too large: ${value} (max length=${field.length})`,
      [field.name],
    );
  }
  if (field.type === "reference") {
    if (!looksLikeId(value)) {
      throw fieldError(400, "MALFORMED_ID", `${field.label}: id value of incorrect type: ${value}`, [
        field.name,
      ]);
    }
    if (!org.isLiveId(field.referenceTo!, value)) {
      throw fieldError(
        400,
        "INVALID_CROSS_REFERENCE_KEY",
        `${field.label}: id value of incorrect type: ${value}`,
        [field.name],
      );
    }
    // Stored as the 18-character id, whichever form was sent.
    return value.length === 15 ? value + caseSuffix(value) : value;
  }
  return value;
}

/** The stored fields a write sets, every problem refused the way Salesforce refuses it. */
function writtenFields(org: Org, object: ObjectCatalogEntry, body: unknown, on: "create" | "update"): Fields {
  const values = bodyObject(body);
  const unknown = Object.keys(values).filter((name) => name !== "attributes" && !object.field(name));
  if (unknown.length > 0) {
    throw new EmulatorError(
      400,
      "INVALID_FIELD",
      `No such column '${unknown[0]}' on sobject of type ${object.name}`,
    );
  }
  const fields: Fields = {};
  const readOnly: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (name === "attributes") continue;
    const field = object.field(name)!;
    if (!isWritable(field, on)) {
      readOnly.push(field.name);
      continue;
    }
    fields[field.name] = checkValue(org, field, value);
  }
  if (readOnly.length > 0) {
    throw fieldError(
      400,
      "INVALID_FIELD_FOR_INSERT_UPDATE",
      `Unable to create/update fields: ${readOnly.join(", ")}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  const missing = object.allFields.filter(
    (field) =>
      isRequired(field) &&
      (on === "create"
        ? fields[field.name] === undefined || fields[field.name] === null
        : fields[field.name] === null),
  );
  if (missing.length > 0) {
    const names = missing.map((field) => field.name);
    throw fieldError(
      400,
      "REQUIRED_FIELD_MISSING",
      `Required fields are missing: [${names.join(", ")}]`,
      names,
    );
  }
  return fields;
}

/** Setup objects (OpportunityStage) are read through the API, never written. */
function refuseReadOnly(object: ObjectCatalogEntry, operation: "insert" | "update"): void {
  if (object.readOnly) {
    const message = `entity type ${object.name} does not support ${operation}`;
    throw new EmulatorError(400, "INVALID_TYPE_FOR_OPERATION", message);
  }
}

/** The table number of a live record, or the refusal Salesforce gives for that id. */
function liveNumber(org: Org, object: ObjectCatalogEntry, id: string): number {
  if (!looksLikeId(id)) {
    throw fieldError(400, "MALFORMED_ID", `${object.label} ID: id value of incorrect type: ${id}`, ["Id"]);
  }
  const n = org.numberOf(object, id);
  if (n === undefined) throw notFound();
  if (org.table(object.name as ObjectName).isArchived(n)) {
    throw new EmulatorError(404, "ENTITY_IS_DELETED", "entity is deleted");
  }
  return n;
}

/** A write checked in full and not yet applied: `commit` applies it (sObject Collections check all first). */
export type PreparedWrite<T> = () => T;

/** Checks a create; the returned commit stores the record and answers Salesforce's SaveResult. */
export function prepareCreate(
  org: Org,
  object: ObjectCatalogEntry,
  body: unknown,
): PreparedWrite<{ id: string; success: true; errors: [] }> {
  refuseReadOnly(object, "insert");
  const fields = writtenFields(org, object, body, "create");
  for (const field of object.fields) {
    if (fields[field.name] !== undefined) continue;
    if (field.name === "OwnerId") fields.OwnerId = ADMIN_USER_ID;
    else if (field.type === "boolean" && isWritable(field, "create")) fields[field.name] = false;
  }
  return () => {
    const n = org.table(object.name as ObjectName).create(org.tick(), fields);
    return { id: toSalesforceId(object.keyPrefix, n), success: true, errors: [] };
  };
}

/** Checks an update of a live record; the returned commit applies it. */
export function prepareUpdate(
  org: Org,
  object: ObjectCatalogEntry,
  id: string,
  body: unknown,
): PreparedWrite<void> {
  refuseReadOnly(object, "update");
  const n = liveNumber(org, object, id);
  const fields = writtenFields(org, object, body, "update");
  return () => org.table(object.name as ObjectName).update(n, fields, org.tick());
}

/** Checks a delete of a live record; the returned commit moves it to the recycle bin. */
export function prepareDelete(org: Org, object: ObjectCatalogEntry, id: string): PreparedWrite<void> {
  if (!object.deletable) {
    throw new EmulatorError(
      405,
      "METHOD_NOT_ALLOWED",
      "HTTP Method 'DELETE' not allowed. Allowed are HEAD,GET,PATCH",
    );
  }
  const n = liveNumber(org, object, id);
  return () => org.table(object.name as ObjectName).archive(n, org.tick());
}

export function createRecord(
  org: Org,
  object: ObjectCatalogEntry,
  body: unknown,
): { id: string; success: true; errors: [] } {
  return prepareCreate(org, object, body)();
}

export function updateRecord(org: Org, object: ObjectCatalogEntry, id: string, body: unknown): void {
  prepareUpdate(org, object, id, body)();
}

export function deleteRecord(org: Org, object: ObjectCatalogEntry, id: string): void {
  prepareDelete(org, object, id)();
}

/** A record as `GET /sobjects/{object}/{id}` returns it: every field, or the ones `?fields=` names. */
export function retrieveRecord(
  org: Org,
  object: ObjectCatalogEntry,
  id: string,
  version: string,
  fieldList: string | undefined,
): Record<string, unknown> {
  const n = liveNumber(org, object, id);
  const rendered: RenderedRecord = org.render(object, org.table(object.name as ObjectName).get(n)!);
  const names =
    fieldList === undefined || fieldList === ""
      ? object.allFields.map((field) => field.name)
      : fieldList.split(",").map((name) => {
          const field = object.field(name.trim());
          if (!field) {
            throw new EmulatorError(
              400,
              "INVALID_FIELD",
              `No such column '${name.trim()}' on entity '${object.name}'.`,
            );
          }
          return field.name;
        });
  const record: Record<string, unknown> = {
    attributes: {
      type: object.name,
      url: `/services/data/${version}/sobjects/${object.name}/${rendered.Id}`,
    },
  };
  for (const name of names) record[name] = rendered[name];
  return record;
}
