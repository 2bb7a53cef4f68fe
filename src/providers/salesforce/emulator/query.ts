/**
 * `query` and `queryAll`: a parsed SOQL query run against the org, its result kept as a server-side cursor
 * (a query locator) and served in batches, each batch pointing at the next with `nextRecordsUrl`, as
 * Salesforce does. `queryAll` also returns deleted records (IsDeleted = true); `query` never does.
 */
import { randomBytes } from "node:crypto";
import { EmulatorError } from "../../../emulator/index.ts";
import { type FieldSpec, findObject, isCustom, type ObjectCatalogEntry } from "./catalog.ts";
import type { Org, RecordValue, RenderedRecord } from "./dataset.ts";
import { type Condition, type Literal, parseSoql, type SoqlQuery, SoqlSyntaxError } from "./soql.ts";

/** Batch size bounds of the `Sforce-Query-Options: batchSize=N` header, and the default. */
export const BATCH_SIZE = { min: 200, max: 2000, fallback: 2000 } as const;
/** A query locator stays valid this long after its last use (Salesforce: 15 minutes). */
const CURSOR_IDLE_MS = 15 * 60_000;
/** Open cursors kept (Salesforce allows 10 per user; the emulator keeps more, for every caller together). */
const MAX_OPEN_CURSORS = 50;
/** FIELDS(ALL) and FIELDS(CUSTOM) need a LIMIT of at most this. */
const FIELDS_LIMIT = 200;

export interface QueryResult {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

/** A server-side cursor: the ids the query matched (in order) and what to render of each. */
interface Cursor {
  /** When a batch of it was last served (epoch ms): it expires this long after. */
  usedAt: number;
  object: ObjectCatalogEntry;
  fields: readonly FieldSpec[];
  ids: readonly number[];
  batchSize: number;
}

export function malformedQuery(message: string): EmulatorError {
  return new EmulatorError(400, "MALFORMED_QUERY", message);
}

function invalidField(name: string, object: ObjectCatalogEntry): EmulatorError {
  return new EmulatorError(
    400,
    "INVALID_FIELD",
    `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

export class QueryService {
  /** Open cursors by locator id, least recently used first. */
  private readonly cursors = new Map<string, Cursor>();

  /**
   * `largestBatch` caps every batch: Salesforce does not promise the batch size asked for, and returns
   * fewer rows when it sees fit, so a small cap is faithful and makes small test orgs page.
   */
  constructor(
    private readonly org: () => Org,
    private readonly largestBatch: number = BATCH_SIZE.max,
  ) {}

  get openCursors(): number {
    return this.cursors.size;
  }

  /** Forgets every open cursor (the org was reset, or a test expires the locators it handed out). */
  reset(): void {
    this.cursors.clear();
  }

  /** Runs a query and answers its first batch. */
  run(soql: string, options: { scanAll: boolean; version: string; batchSize: number }): QueryResult {
    let query: SoqlQuery;
    try {
      query = parseSoql(soql);
    } catch (error) {
      if (error instanceof SoqlSyntaxError) throw malformedQuery(`${soql}\n${error.message}`);
      throw error;
    }
    const object = findObject(query.from);
    if (!object) {
      throw new EmulatorError(
        400,
        "INVALID_TYPE",
        `sObject type '${query.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    const ids = this.matchingIds(object, query, options.scanAll);
    if (query.select.some((item) => item.kind === "count")) {
      if (query.select.length > 1) throw malformedQuery("COUNT() must be the only item selected");
      return { totalSize: ids.length, done: true, records: [] };
    }
    const cursor: Cursor = {
      usedAt: Date.now(),
      object,
      fields: selectedFields(object, query),
      ids,
      batchSize: Math.min(options.batchSize, this.largestBatch),
    };
    return this.page(cursor, newLocatorId(), 0, options.version);
  }

  /** The batch a `nextRecordsUrl` names (`01g…-2000`). */
  more(locator: string, version: string): QueryResult {
    const match = /^(01g[0-9A-Za-z]{12,15})-(\d+)$/.exec(locator);
    const cursor = match ? this.cursors.get(match[1]!) : undefined;
    const offset = match ? Number(match[2]) : Number.NaN;
    const expired = cursor !== undefined && Date.now() - cursor.usedAt > CURSOR_IDLE_MS;
    if (!cursor || expired || !(offset >= 0 && offset <= cursor.ids.length)) {
      throw new EmulatorError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
    }
    return this.page(cursor, match![1]!, offset, version);
  }

  private page(cursor: Cursor, locatorId: string, offset: number, version: string): QueryResult {
    const org = this.org();
    const table = org.table(cursor.object.name as never);
    const end = Math.min(offset + cursor.batchSize, cursor.ids.length);
    const records = cursor.ids.slice(offset, end).map((n) => {
      const rendered = org.render(cursor.object, table.get(n)!);
      const record: Record<string, unknown> = {
        attributes: {
          type: cursor.object.name,
          url: `/services/data/${version}/sobjects/${cursor.object.name}/${rendered.Id}`,
        },
      };
      for (const field of cursor.fields) record[field.name] = rendered[field.name];
      return record;
    });
    const done = end >= cursor.ids.length;
    this.keep(locatorId, cursor);
    return {
      totalSize: cursor.ids.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${locatorId}-${end}` }),
      records,
    };
  }

  /**
   * Keeps a cursor open (its batches can be fetched again, in any order) until it has been idle for
   * CURSOR_IDLE_MS, and at most MAX_OPEN_CURSORS of them, dropping the least recently used.
   */
  private keep(locatorId: string, cursor: Cursor): void {
    const now = Date.now();
    cursor.usedAt = now;
    this.cursors.delete(locatorId);
    this.cursors.set(locatorId, cursor);
    for (const [id, open] of this.cursors) {
      if (now - open.usedAt > CURSOR_IDLE_MS || this.cursors.size > MAX_OPEN_CURSORS) this.cursors.delete(id);
      else break;
    }
  }

  private matchingIds(object: ObjectCatalogEntry, query: SoqlQuery, scanAll: boolean): number[] {
    const org = this.org();
    const where = query.where;
    if (where) checkCondition(object, where);
    for (const order of query.orderBy) fieldOf(object, order.field);
    const rows: RenderedRecord[] = [];
    const numbers = new Map<RenderedRecord, number>();
    for (const record of org.allRecords(object)) {
      if (!scanAll && record.archivedAt !== undefined) continue;
      const rendered = org.render(object, record);
      if (where && !matches(object, where, rendered)) continue;
      rows.push(rendered);
      numbers.set(rendered, record.id);
    }
    if (query.orderBy.length > 0) {
      rows.sort((a, b) => {
        for (const order of query.orderBy) {
          const field = fieldOf(object, order.field);
          // Ids sort by their characters as they are (base 62 in ASCII order: creation order).
          const caseSensitive = field.type === "id" || field.type === "reference";
          const compared = compareForOrder(
            a[field.name] ?? null,
            b[field.name] ?? null,
            order,
            caseSensitive,
          );
          if (compared !== 0) return compared;
        }
        return numbers.get(a)! - numbers.get(b)!;
      });
    }
    const offset = query.offset ?? 0;
    const limited = rows.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    return limited.map((row) => numbers.get(row)!);
  }
}

function newLocatorId(): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return `01g${[...randomBytes(15)].map((byte) => alphabet[byte % 62]).join("")}`;
}

function fieldOf(object: ObjectCatalogEntry, name: string): FieldSpec {
  const field = object.field(name);
  if (!field) throw invalidField(name, object);
  return field;
}

/** The fields a SELECT list names, in order, each once (a field named twice is refused, as Salesforce does). */
function selectedFields(object: ObjectCatalogEntry, query: SoqlQuery): FieldSpec[] {
  const fields: FieldSpec[] = [];
  const add = (field: FieldSpec, explicit: boolean) => {
    if (fields.includes(field)) {
      if (explicit) throw malformedQuery(`duplicate field selected: ${field.name}`);
      return;
    }
    fields.push(field);
  };
  for (const item of query.select) {
    if (item.kind === "field") add(fieldOf(object, item.name), true);
    else if (item.kind === "fields") {
      if (item.which !== "STANDARD" && (query.limit === undefined || query.limit > FIELDS_LIMIT)) {
        throw malformedQuery(`The SOQL FIELDS function must have a LIMIT of at most ${FIELDS_LIMIT}`);
      }
      for (const field of object.allFields) {
        if (item.which === "ALL" || (item.which === "CUSTOM") === isCustom(field)) add(field, false);
      }
    }
  }
  return fields;
}

const NUMERIC = new Set(["int", "double", "currency", "percent"]);

/** The literal kind a field's filter takes. */
function literalKindOf(field: FieldSpec): Literal["kind"] {
  if (field.type === "datetime") return "datetime";
  if (field.type === "date") return "date";
  if (field.type === "boolean") return "boolean";
  if (NUMERIC.has(field.type)) return "number";
  return "string";
}

/** Refuses unknown fields, and values of the wrong type for their field, before any record is read. */
function checkCondition(object: ObjectCatalogEntry, condition: Condition): void {
  switch (condition.kind) {
    case "and":
    case "or":
      for (const item of condition.items) checkCondition(object, item);
      return;
    case "not":
      checkCondition(object, condition.item);
      return;
    default: {
      const field = fieldOf(object, condition.field);
      if (field.type === "address")
        throw malformedQuery(`field '${field.name}' can not be filtered in a query call`);
      const values =
        condition.kind === "compare"
          ? [condition.value]
          : condition.kind === "in"
            ? condition.values
            : [{ kind: "string", value: condition.pattern } as Literal];
      const wanted = literalKindOf(field);
      for (const value of values) {
        if (value.kind !== "null" && value.kind !== wanted) {
          throw malformedQuery(
            `value of filter criterion for field '${field.name}' must be of type ${field.type === "datetime" ? "dateTime" : field.type} and should${wanted === "string" ? "" : " not"} be enclosed in quotes`,
          );
        }
      }
      if (condition.kind === "like" && wanted !== "string") {
        throw malformedQuery(`invalid operator on ${field.type} field: LIKE`);
      }
    }
  }
}

/** A record value and a literal on one scale (ms for datetimes, lower case for text). */
function comparable(value: RecordValue | undefined, literal: Literal): string | number | boolean | null {
  if (value === null || value === undefined || typeof value === "object") return null;
  if (literal.kind === "datetime") return Date.parse(String(value));
  if (typeof value === "string") return value.toLowerCase();
  return value;
}

function literalValue(literal: Literal): string | number | boolean | null {
  switch (literal.kind) {
    case "null":
      return null;
    case "string":
      return literal.value.toLowerCase();
    default:
      return literal.value;
  }
}

function matches(object: ObjectCatalogEntry, condition: Condition, record: RenderedRecord): boolean {
  switch (condition.kind) {
    case "and":
      return condition.items.every((item) => matches(object, item, record));
    case "or":
      return condition.items.some((item) => matches(object, item, record));
    case "not":
      return !matches(object, condition.item, record);
    case "in": {
      const field = fieldOf(object, condition.field);
      const found = condition.values.some(
        (literal) => comparable(record[field.name], literal) === literalValue(literal),
      );
      return found !== condition.negated;
    }
    case "like": {
      const field = fieldOf(object, condition.field);
      const value = record[field.name];
      if (typeof value !== "string") return condition.negated;
      const regex = new RegExp(
        `^${condition.pattern
          .split("")
          .map((char) =>
            char === "%" ? ".*" : char === "_" ? "." : char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
          )
          .join("")}$`,
        "is",
      );
      return regex.test(value) !== condition.negated;
    }
    case "compare": {
      const field = fieldOf(object, condition.field);
      const left = comparable(record[field.name], condition.value);
      const right = literalValue(condition.value);
      if (condition.op === "=") return left === right;
      if (condition.op === "!=") return left !== right;
      if (left === null || right === null) return false;
      switch (condition.op) {
        case "<":
          return left < right;
        case "<=":
          return left <= right;
        case ">":
          return left > right;
        case ">=":
          return left >= right;
      }
    }
  }
}

function compareForOrder(
  a: RecordValue,
  b: RecordValue,
  order: { descending: boolean; nullsLast: boolean },
  caseSensitive: boolean,
): number {
  const aNull = a === null || typeof a === "object";
  const bNull = b === null || typeof b === "object";
  if (aNull || bNull) {
    if (aNull && bNull) return 0;
    return (aNull ? -1 : 1) * (order.nullsLast ? -1 : 1);
  }
  const left = typeof a === "string" && !caseSensitive ? a.toLowerCase() : a;
  const right = typeof b === "string" && !caseSensitive ? b.toLowerCase() : b;
  const compared = left < right ? -1 : left > right ? 1 : 0;
  return order.descending ? -compared : compared;
}
