/**
 * Remote fields: the provider's fields of a model, custom ones included, as paths into the raw payloads the
 * records cache holds. Found from the stream's declared columns (its schema) and the payloads themselves
 * (what schema discovery added: custom fields, properties the provider added since), each with the kind of
 * value it holds. No I/O here.
 */
import type { ColumnType } from "../core/index.ts";
import { type PathStep, pathKey } from "./field-mappings.ts";

/** Merge's field kinds (`FieldTypeEnum`). */
export type RemoteFieldKind = "string" | "number" | "date" | "datetime" | "bool" | "list";

export interface RemoteFieldInfo {
  path: PathStep[];
  kind: RemoteFieldKind;
  /** Declared by the stream's schema; the others came from discovery (custom fields among them). */
  declared: boolean;
  /** Up to three distinct non-null values seen. */
  examples: unknown[];
  /** Share of the sampled payloads holding a non-null value (0 to 1). */
  coverage: number;
}

/** Nested objects are walked this deep; deeper values are listed as their containing field. */
const MAX_DEPTH = 3;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The leaf fields of one payload: (path, value), nested objects walked, lists kept whole. */
export function leafFields(payload: unknown, prefix: PathStep[] = []): [PathStep[], unknown][] {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return [];
  const leaves: [PathStep[], unknown][] = [];
  for (const [key, value] of Object.entries(payload as Record<string, unknown>)) {
    const path = [...prefix, key];
    const nested = value !== null && typeof value === "object" && !Array.isArray(value);
    if (nested && path.length < MAX_DEPTH && Object.keys(value).length > 0)
      leaves.push(...leafFields(value, path));
    else leaves.push([path, value]);
  }
  return leaves;
}

/** The kind of one value; undefined for null (it says nothing). */
export function kindOfValue(value: unknown): RemoteFieldKind | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return "list";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "number";
  if (typeof value === "string" && ISO_DATETIME.test(value) && Number.isFinite(Date.parse(value)))
    return "datetime";
  if (typeof value === "string" && ISO_DATE.test(value)) return "date";
  return "string";
}

/** The kind of a declared column type. */
export function kindOfColumn(type: ColumnType): RemoteFieldKind {
  if (type === "integer" || type === "number") return "number";
  if (type === "boolean") return "bool";
  if (type === "timestamp") return "datetime";
  return "string";
}

/**
 * The remote fields of a model: every declared column, and every leaf path found in the sampled payloads,
 * sorted by path. A declared column's type wins; otherwise the kind most values had.
 */
export function discoverRemoteFields(
  payloads: readonly unknown[],
  declared: Readonly<Record<string, ColumnType>>,
): RemoteFieldInfo[] {
  const found = new Map<
    string,
    { path: PathStep[]; kinds: Map<RemoteFieldKind, number>; examples: unknown[]; filled: number }
  >();
  const entry = (path: PathStep[]) => {
    const key = pathKey(path);
    let current = found.get(key);
    if (!current) {
      current = { path, kinds: new Map(), examples: [], filled: 0 };
      found.set(key, current);
    }
    return current;
  };
  for (const name of Object.keys(declared)) entry([name]);
  for (const payload of payloads) {
    for (const [path, value] of leafFields(payload)) {
      const current = entry(path);
      const kind = kindOfValue(value);
      if (kind === undefined) continue;
      current.filled += 1;
      current.kinds.set(kind, (current.kinds.get(kind) ?? 0) + 1);
      if (
        current.examples.length < 3 &&
        !current.examples.some((seen) => JSON.stringify(seen) === JSON.stringify(value))
      ) {
        current.examples.push(value);
      }
    }
  }
  return [...found.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, info]) => {
      const column = info.path.length === 1 ? declared[String(info.path[0])] : undefined;
      const common = [...info.kinds.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      return {
        path: info.path,
        kind: column ? kindOfColumn(column) : (common ?? "string"),
        declared: column !== undefined,
        examples: info.examples,
        coverage: payloads.length === 0 ? 0 : info.filled / payloads.length,
      };
    });
}

/** A JSON Schema of a field's values, as Merge's remote fields carry one. */
export function schemaOfKind(kind: RemoteFieldKind): Record<string, unknown> {
  switch (kind) {
    case "number":
      return { type: "number" };
    case "bool":
      return { type: "boolean" };
    case "datetime":
      return { type: "string", format: "date-time" };
    case "date":
      return { type: "string", format: "date" };
    case "list":
      return { type: "array" };
    default:
      return { type: "string" };
  }
}
