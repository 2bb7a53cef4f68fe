/**
 * Field mapping of a reverse-ETL sync: model columns into the target's fields by dotted path
 * (`properties.email` for HubSpot's action input, `email_addresses.0.email_address` for a unified Contact).
 * Paths are checked against the target's field list when the sync is saved (checkPath), and a row becomes
 * the target's input by setting each path (buildFields).
 */
import type { FieldMap } from "./definitions.ts";

type JsonSchema = Record<string, unknown>;

/** The mapped values of a row, in mapping order (what the row's hash covers). */
export function mappedValues(
  row: Readonly<Record<string, unknown>>,
  mapping: readonly FieldMap[],
): unknown[] {
  return mapping.map((map) => row[map.column] ?? null);
}

/** The target's fields a row fills: each mapped column's value at its path (numeric steps index lists). */
export function buildFields(
  row: Readonly<Record<string, unknown>>,
  mapping: readonly FieldMap[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const map of mapping) setPath(out, map.field.split("."), row[map.column] ?? null);
  return out;
}

function setPath(target: Record<string, unknown> | unknown[], steps: string[], value: unknown): void {
  const [step, ...rest] = steps as [string, ...string[]];
  const key = /^\d+$/.test(step) && Array.isArray(target) ? Number(step) : step;
  if (rest.length === 0) {
    (target as Record<string | number, unknown>)[key] = value;
    return;
  }
  const container = target as Record<string | number, unknown>;
  if (container[key] === undefined || container[key] === null)
    container[key] = /^\d+$/.test(rest[0]!) ? [] : {};
  setPath(container[key] as Record<string, unknown>, rest, value);
}

/**
 * Why `path` is not a field of the JSON Schema `schema` (an action's input), or undefined when it is. An
 * object's declared properties are fields; so is any name its `additionalProperties` (with its
 * `propertyNames` pattern) allows, as for HubSpot's `properties` (custom properties included).
 */
export function checkPath(schema: JsonSchema, path: string): string | undefined {
  let at: JsonSchema = schema;
  const walked: string[] = [];
  for (const step of path.split(".")) {
    at = resolveUnion(at);
    const properties = (at.properties ?? {}) as Record<string, JsonSchema>;
    const items = at.items as JsonSchema | undefined;
    if (Object.hasOwn(properties, step)) at = properties[step]!;
    else if (items && /^\d+$/.test(step)) at = items;
    else if (typeof at.additionalProperties === "object" && at.additionalProperties !== null) {
      const pattern = (at.propertyNames as JsonSchema | undefined)?.pattern;
      if (typeof pattern === "string" && !new RegExp(pattern).test(step)) {
        return `"${step}" is not a valid name under ${walked.join(".") || "the input"} (must match ${pattern})`;
      }
      at = at.additionalProperties as JsonSchema;
    } else {
      const known = Object.keys(properties);
      const under = walked.length > 0 ? ` of ${walked.join(".")}` : "";
      return `"${step}" is not a field${under}${known.length > 0 ? `; its fields are: ${known.join(", ")}` : ""}`;
    }
    walked.push(step);
  }
  return undefined;
}

/** The object branch of an `anyOf` / `oneOf` (a nullable or optional field's schema). */
function resolveUnion(schema: JsonSchema): JsonSchema {
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!branches) return schema;
  return branches.find((branch) => branch.type === "object" || branch.properties || branch.items) ?? schema;
}

/** The value at a dotted path of an object (`id`, `data.id`), for a create's output. */
export function valueAt(value: unknown, path: string): unknown {
  let at = value;
  for (const step of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}
