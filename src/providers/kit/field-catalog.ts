/**
 * Schema discovery: reads a stream's fields endpoint into a catalog (column type per field, and the column
 * name of each custom field), then applies it to records: custom values renamed, every value typed.
 */
import type { ColumnType, HttpRequest, ReadContext, SyncRecord } from "../../core/index.ts";
import { ProviderResponseError, RecordInvalidError } from "../../core/index.ts";
import { createPaginator, type Paginator, paginate } from "../../http/index.ts";
import { getPath } from "../../http/json-path.ts";
import { buildRequest } from "./request.ts";
import type { ParsedDiscoverySpec } from "./schema-spec.ts";
import { convertValue } from "./value-types.ts";

export interface FieldCatalog {
  /** Column type per record field (after renaming); declared columns win over discovered types. */
  types: ReadonlyMap<string, ColumnType>;
  /** Custom fields: provider key → column name. */
  custom: ReadonlyMap<string, string>;
}

/** One field definition as the fields endpoint describes it. */
interface FieldDefinition {
  key: string;
  label: unknown;
  type: ColumnType;
  custom: boolean;
}

/** Reads every field definition and builds the catalog; `declared` are the stream's static columns. */
export async function discoverFields(
  spec: ParsedDiscoverySpec,
  declared: Readonly<Record<string, ColumnType>>,
  ctx: Pick<ReadContext, "http" | "signal">,
): Promise<FieldCatalog> {
  const definitions = await readDefinitions(spec, ctx);
  // Custom fields are named last, so a name never takes a built-in field's key, wherever it is listed.
  const taken = new Set([
    ...Object.keys(declared),
    ...definitions.filter((d) => !d.custom).map((d) => d.key),
  ]);
  const types = new Map<string, ColumnType>();
  const custom = new Map<string, string>();
  for (const definition of definitions) {
    const column = definition.custom ? uniqueColumn(definition.label, definition.key, taken) : definition.key;
    if (definition.custom) custom.set(definition.key, column);
    taken.add(column);
    types.set(column, definition.type);
  }
  for (const [name, type] of Object.entries(declared)) types.set(name, type);
  return { types, custom };
}

async function readDefinitions(
  spec: ParsedDiscoverySpec,
  ctx: Pick<ReadContext, "http" | "signal">,
): Promise<FieldDefinition[]> {
  const definitions: FieldDefinition[] = [];
  const paginator = spec.paginator ? createPaginator(spec.paginator) : singlePage;
  const pages = paginate(ctx.http, buildRequest(spec.request), paginator, {
    records: spec.records,
    signal: ctx.signal,
  });
  for await (const page of pages) {
    for (const definition of page.records) {
      const key = getPath(definition, spec.key);
      if (typeof key !== "string" || key === "") {
        throw new ProviderResponseError(
          new URL(page.response.url).host,
          `a field definition of ${spec.request.path} has no key at "${spec.key}"`,
          { url: page.response.url },
        );
      }
      const providerType = getPath(definition, spec.type);
      definitions.push({
        key,
        label: getPath(definition, spec.name),
        // Own keys only: a provider type named `constructor` must not find Object's.
        type:
          typeof providerType === "string" && Object.hasOwn(spec.types, providerType)
            ? spec.types[providerType]!
            : "string",
        custom: spec.custom !== undefined && getPath(definition, spec.custom.field) === spec.custom.equals,
      });
    }
  }
  return definitions;
}

/** The record with custom values renamed and every catalogued field converted to its column type. */
export function applyCatalog(
  catalog: FieldCatalog,
  spec: ParsedDiscoverySpec,
  stream: string,
  record: SyncRecord,
): SyncRecord {
  const holder = spec.customValuesAt === undefined ? record : record[spec.customValuesAt];
  if (holder !== null && typeof holder === "object" && !Array.isArray(holder)) {
    const values = holder as Record<string, unknown>;
    for (const [key, column] of catalog.custom) {
      if (!Object.hasOwn(values, key)) continue;
      record[column] = values[key];
      if (values !== record || key !== column) delete values[key];
    }
    if (values !== record && Object.keys(values).length === 0) delete record[spec.customValuesAt!];
  }
  for (const [field, type] of catalog.types) {
    if (!Object.hasOwn(record, field)) continue;
    const converted = convertValue(record[field], type);
    if (!converted.ok) {
      const id = record.id === undefined ? "" : ` ${JSON.stringify(record.id)}`;
      throw new RecordInvalidError(stream, `record${id}: field ${field} ${converted.problem}`, { field });
    }
    record[field] = converted.value;
  }
  return record;
}

/** `Preferred color` → `preferred_color`; a name already taken (or empty) gets the key appended. */
function uniqueColumn(name: unknown, key: string, taken: ReadonlySet<string>): string {
  const base = String(name ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (base === "") return key;
  return taken.has(base) ? `${base}_${key}` : base;
}

/** A fields endpoint without paging: the first page is the only one. */
const singlePage: Paginator = { requestFor: (base: HttpRequest) => base, nextToken: () => undefined };
