/**
 * The CRM search endpoint's semantics: filter groups (OR of ANDs), one sort, paging by offset,
 * and the 10,000-result window. Archived records never match, as in HubSpot.
 */
import { z } from "zod";
import { OBJECT_SPECS, type ObjectTypeName, type PropertySpec, type PropertyType } from "./catalog.ts";
import type { Dataset } from "./dataset.ts";
import { validationError } from "./errors.ts";
import type { StoredRecord } from "./table.ts";

export const SEARCH_WINDOW = 10_000;
export const MAX_SEARCH_LIMIT = 200;
const MAX_FILTER_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 10;
const MAX_FILTERS = 25;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const OPERATORS = [
  "EQ",
  "NEQ",
  "LT",
  "LTE",
  "GT",
  "GTE",
  "BETWEEN",
  "IN",
  "NOT_IN",
  "HAS_PROPERTY",
  "NOT_HAS_PROPERTY",
  "CONTAINS_TOKEN",
  "NOT_CONTAINS_TOKEN",
] as const;
type Operator = (typeof OPERATORS)[number];

const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: scalar.optional(),
  highValue: scalar.optional(),
  values: z.array(scalar).optional(),
});

/** The search request body as HubSpot accepts it (the official client sends sorts as strings or objects). */
export const searchRequestSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).default([]),
  sorts: z
    .array(
      z.union([
        z.string().min(1),
        z.object({
          propertyName: z.string().min(1),
          direction: z.enum(["ASCENDING", "DESCENDING"]).optional(),
        }),
      ]),
    )
    .default([]),
  query: z.string().optional(),
  properties: z.array(z.string()).default([]),
  limit: z.coerce.number().int().min(0).default(10),
  after: z.union([z.string(), z.number()]).optional(),
});
export type SearchRequest = z.infer<typeof searchRequestSchema>;
type Filter = z.infer<typeof filterSchema>;

export interface SearchPage {
  total: number;
  ids: number[];
  nextAfter: string | undefined;
}

type Comparable = number | string | null;

/** Runs a validated search; throws the 400s HubSpot sends for limits, unknown properties and the window. */
export function runSearch(dataset: Dataset, type: ObjectTypeName, request: SearchRequest): SearchPage {
  const { limit, after } = checkPaging(request);
  const sort = parseSort(dataset, type, request.sorts);
  const groups = compileGroups(dataset, type, request.filterGroups);
  const query = request.query?.trim().toLowerCase();
  const records = new RecordAccess(dataset, type);
  const end = after + limit;
  // Candidates already come in sort order unless sorting by another property: then only the page is kept.
  const keepAll = sort.kind === "value";
  let matches: number[] = [];
  let total = 0;
  for (const id of candidates(dataset, type, request.filterGroups, sort)) {
    if (groups.length > 0 && !groups.some((group) => group.every((test) => test(records, id)))) continue;
    if (query && !records.matchesQuery(id, query)) continue;
    if (keepAll || total < end) matches.push(id);
    total++;
  }
  if (sort.kind === "value") {
    const keyed = matches.map((id) => ({ id, value: records.value(id, sort.property) }));
    keyed.sort((a, b) => compareNullsLast(a.value, b.value, sort.descending) || a.id - b.id);
    matches = keyed.map((entry) => entry.id);
  }
  return {
    total,
    ids: matches.slice(after, end),
    nextAfter: end < total ? String(end) : undefined,
  };
}

function checkPaging(request: SearchRequest): { limit: number; after: number } {
  if (request.limit > MAX_SEARCH_LIMIT) {
    throw validationError(
      `limit must be less than or equal to ${MAX_SEARCH_LIMIT}, but was ${request.limit}.`,
      [{ message: `must be less than or equal to ${MAX_SEARCH_LIMIT}`, in: "limit" }],
    );
  }
  const after = request.after === undefined || request.after === "" ? 0 : Number(request.after);
  if (!Number.isInteger(after) || after < 0) {
    throw validationError(`after must be a non-negative integer offset, but was "${request.after}".`);
  }
  if (after + request.limit > SEARCH_WINDOW) {
    throw validationError(
      `The search window is limited to ${SEARCH_WINDOW} results: after (${after}) plus limit (${request.limit}) exceeds it. Narrow the search with filters instead of paging further.`,
    );
  }
  const filters = request.filterGroups.reduce((sum, group) => sum + group.filters.length, 0);
  if (
    request.filterGroups.length > MAX_FILTER_GROUPS ||
    request.filterGroups.some((group) => group.filters.length > MAX_FILTERS_PER_GROUP) ||
    filters > MAX_FILTERS
  ) {
    throw validationError(
      `Too many filters: at most ${MAX_FILTER_GROUPS} filter groups, ${MAX_FILTERS_PER_GROUP} filters per group and ${MAX_FILTERS} filters in total are allowed.`,
    );
  }
  return { limit: request.limit, after };
}

type Sort =
  | { kind: "id"; descending: boolean }
  | { kind: "modified"; descending: boolean }
  | { kind: "value"; property: PropertySpec; descending: boolean };

function parseSort(dataset: Dataset, type: ObjectTypeName, sorts: SearchRequest["sorts"]): Sort {
  if (sorts.length > 1)
    throw validationError("Only one sort is supported per search; send a single entry in sorts.");
  const [first] = sorts;
  if (first === undefined) return { kind: "id", descending: false };
  const raw = typeof first === "string" ? first : first.propertyName;
  const descending =
    typeof first === "string" ? first.startsWith("-") : (first.direction ?? "ASCENDING") === "DESCENDING";
  const name = raw.replace(/^-/, "");
  const property = knownProperty(dataset, type, name, "sorts");
  if (name === "hs_object_id") return { kind: "id", descending };
  if (name === OBJECT_SPECS[type].modifiedProperty) return { kind: "modified", descending };
  return { kind: "value", property, descending };
}

function knownProperty(dataset: Dataset, type: ObjectTypeName, name: string, where: string): PropertySpec {
  const property = dataset.propertySpec(type, name);
  if (!property) {
    throw validationError(`Property "${name}" does not exist on ${type}.`, [
      { message: `Unknown property "${name}"`, in: where, code: "PROPERTY_DOESNT_EXIST" },
    ]);
  }
  return property;
}

/**
 * The ids worth testing, in the order the sort wants. When there is a single filter group with bounds
 * on the modification time or the id, only that range is walked: this keeps incremental reads fast.
 */
function candidates(
  dataset: Dataset,
  type: ObjectTypeName,
  filterGroups: SearchRequest["filterGroups"],
  sort: Sort,
): Iterable<number> {
  const table = dataset.table(type);
  const spec = OBJECT_SPECS[type];
  const only = filterGroups.length === 1 ? filterGroups[0]!.filters : [];
  const time = boundsOn(only, spec.modifiedProperty, (value) => toMillis(value, "datetime"));
  const ids = boundsOn(only, "hs_object_id", (value) => Number(value));
  if (sort.kind === "modified") return table.liveIdsByModified(sort.descending, time.from, time.to);
  if (time.bounded) {
    const inRange = [...table.liveIdsByModified(false, time.from, time.to)];
    return inRange.sort((a, b) => (sort.kind === "id" && sort.descending ? b - a : a - b));
  }
  const ascending = table.liveIds(Number.isFinite(ids.from) ? ids.from : undefined);
  if (sort.kind === "id" && sort.descending) return [...ascending].reverse();
  return ascending;
}

/** The integer range a set of AND-ed filters allows for one numeric property (a superset is fine). */
function boundsOn(
  filters: readonly Filter[],
  property: string,
  parse: (value: unknown) => number,
): { from: number; to: number; bounded: boolean } {
  let from = -Infinity;
  let to = Infinity;
  for (const filter of filters) {
    if (filter.propertyName !== property) continue;
    const v = filter.value === undefined ? Number.NaN : parse(filter.value);
    if (Number.isNaN(v) && filter.operator !== "BETWEEN") continue;
    switch (filter.operator) {
      case "EQ":
        from = Math.max(from, Math.ceil(v));
        to = Math.min(to, Math.floor(v));
        break;
      case "GT":
        from = Math.max(from, Math.floor(v) + 1);
        break;
      case "GTE":
        from = Math.max(from, Math.ceil(v));
        break;
      case "LT":
        to = Math.min(to, Math.ceil(v) - 1);
        break;
      case "LTE":
        to = Math.min(to, Math.floor(v));
        break;
      case "BETWEEN": {
        const high = filter.highValue === undefined ? Number.NaN : parse(filter.highValue);
        if (!Number.isNaN(v)) from = Math.max(from, Math.ceil(v));
        if (!Number.isNaN(high)) to = Math.min(to, Math.floor(high));
        break;
      }
      default:
        break;
    }
  }
  return { from, to, bounded: from !== -Infinity || to !== Infinity };
}

type Test = (records: RecordAccess, id: number) => boolean;

function compileGroups(
  dataset: Dataset,
  type: ObjectTypeName,
  groups: SearchRequest["filterGroups"],
): Test[][] {
  return groups.map((group) => group.filters.map((filter) => compileFilter(dataset, type, filter)));
}

function compileFilter(dataset: Dataset, type: ObjectTypeName, filter: Filter): Test {
  const property = knownProperty(dataset, type, filter.propertyName, "filterGroups");
  const convert = (raw: unknown, field: string): Comparable => {
    const value = toComparable(raw, property.type);
    if (value === null || (typeof value === "number" && Number.isNaN(value))) {
      throw validationError(
        `Filter on "${property.name}" (${filter.operator}) has an invalid ${field}: ${JSON.stringify(raw)}.`,
      );
    }
    return value;
  };
  const need = (raw: unknown, field: string): Comparable => {
    if (raw === undefined) {
      throw validationError(
        `Filter on "${property.name}" with operator ${filter.operator} needs a ${field}.`,
      );
    }
    return convert(raw, field);
  };
  const op: Operator = filter.operator;
  const get = (records: RecordAccess, id: number) => records.value(id, property);
  switch (op) {
    case "HAS_PROPERTY":
      return (r, id) => get(r, id) !== null;
    case "NOT_HAS_PROPERTY":
      return (r, id) => get(r, id) === null;
    case "IN":
    case "NOT_IN": {
      if (!filter.values || filter.values.length === 0) {
        throw validationError(
          `Filter on "${property.name}" with operator ${op} needs a non-empty values list.`,
        );
      }
      const set = new Set(filter.values.map((raw) => convert(raw, "values entry")));
      return op === "IN" ? (r, id) => set.has(get(r, id)) : (r, id) => !set.has(get(r, id));
    }
    case "CONTAINS_TOKEN":
    case "NOT_CONTAINS_TOKEN": {
      const pattern = tokenPattern(String(need(filter.value, "value")));
      const test: Test = (r, id) => {
        const raw = r.raw(id, property.name);
        return raw !== null && pattern(raw);
      };
      return op === "CONTAINS_TOKEN" ? test : (r, id) => !test(r, id);
    }
    case "BETWEEN": {
      const low = need(filter.value, "value")!;
      const high = need(filter.highValue, "highValue")!;
      return (r, id) => {
        const v = get(r, id);
        return v !== null && v >= low && v <= high;
      };
    }
    default: {
      const target = need(filter.value, "value")!;
      const compare: Record<"EQ" | "NEQ" | "LT" | "LTE" | "GT" | "GTE", (v: Comparable) => boolean> = {
        EQ: (v) => v === target,
        NEQ: (v) => v !== target,
        LT: (v) => v !== null && v < target,
        LTE: (v) => v !== null && v <= target,
        GT: (v) => v !== null && v > target,
        GTE: (v) => v !== null && v >= target,
      };
      const check = compare[op];
      return (r, id) => check(get(r, id));
    }
  }
}

/** CONTAINS_TOKEN: `*` is a wildcard over the whole value; otherwise any word of the value must equal it. */
function tokenPattern(token: string): (value: string) => boolean {
  const lower = token.toLowerCase();
  if (lower.includes("*")) {
    const regex = new RegExp(`^${lower.split("*").map(escapeRegex).join(".*")}$`);
    return (value) => regex.test(value.toLowerCase());
  }
  return (value) => {
    const text = value.toLowerCase();
    return text === lower || text.split(/[^a-z0-9]+/).includes(lower);
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Epoch ms from a filter value: epoch-millis (number or digits) or an ISO date/time. */
function toMillis(raw: unknown, type: PropertyType): number {
  if (typeof raw === "number") return raw;
  const text = String(raw).trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const parsed = Date.parse(type === "date" && text.length === 10 ? `${text}T00:00:00Z` : text);
  return parsed;
}

/** How values of a property type compare: numbers and times numerically, text case-insensitively. */
function toComparable(raw: unknown, type: PropertyType): Comparable {
  if (raw === null || raw === undefined || raw === "") return null;
  switch (type) {
    case "number":
      return Number(raw);
    case "datetime":
    case "date":
      return toMillis(raw, type);
    default:
      return String(raw).toLowerCase();
  }
}

function compareNullsLast(a: Comparable, b: Comparable, descending: boolean): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const order = a < b ? -1 : 1;
  return descending ? -order : order;
}

const QUERY_PROPERTIES: Record<ObjectTypeName, readonly string[]> = {
  contacts: ["firstname", "lastname", "email", "phone", "company", "website"],
  companies: ["name", "domain", "phone", "website"],
  deals: ["dealname"],
};

/** Per-search access to record values; the cheap fields never generate the record. */
class RecordAccess {
  private lastId = -1;
  private last: StoredRecord | undefined;

  constructor(
    private readonly dataset: Dataset,
    private readonly type: ObjectTypeName,
  ) {}

  value(id: number, property: PropertySpec): Comparable {
    const table = this.dataset.table(this.type);
    if (property.name === "hs_object_id") return id;
    if (property.name === table.spec.modifiedProperty) return table.updatedAtOf(id);
    if (property.name === "createdate") return table.createdAtOf(id);
    return toComparable(this.raw(id, property.name), property.type);
  }

  raw(id: number, name: string): string | null {
    if (this.lastId !== id) {
      this.last = this.dataset.table(this.type).get(id);
      this.lastId = id;
    }
    return this.last?.fields[name] ?? null;
  }

  matchesQuery(id: number, query: string): boolean {
    return QUERY_PROPERTIES[this.type].some(
      (name) => this.raw(id, name)?.toLowerCase().includes(query) ?? false,
    );
  }
}
