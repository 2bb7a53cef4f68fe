/**
 * Field mappings, Merge's way: a provider field, found by its traversal path in the raw payload, mapped onto a
 * Common Model. No I/O here: what a mapping is, which mappings apply to one connection, and what they make of
 * one object's fields and payload.
 *
 * - A target that is not a field of the model is a custom target: its value shows in the object's
 *   `field_mappings`, under `organization_defined_targets` when the environment defines that target for the
 *   model (an environment-wide mapping of any provider), else under `linked_account_defined_targets`.
 * - A target that is a plain field of the model (a string, number, boolean or date-time, such as `first_name`)
 *   overrides that field's value, as Merge's Common Model overrides do; references, lists and bookkeeping fields
 *   cannot be targets.
 * - A connection's own mapping of a target wins over its environment's mapping of the same target.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { CrmModelName } from "./mappers.ts";
import { getUnifiedModel } from "./registry.ts";

/** One step of a traversal path: an object key, or an index into a list. */
export type PathStep = string | number;

export interface FieldMapping {
  id: string;
  environmentId: string;
  /** The connection it belongs to; null for an environment-wide mapping (every connection of `provider`). */
  connectionId: string | null;
  provider: string;
  model: CrmModelName;
  targetFieldName: string;
  targetFieldDescription: string;
  /** Where the value is in the raw payload (`["properties", "favorite_color"]`, or `["favorite_color"]`). */
  traversalPath: PathStep[];
  remoteMethod: string;
  remoteUrlPath: string;
  createdAt: string;
  updatedAt: string;
}

/** Fields of every model a mapping may never write: bookkeeping and the envelopes of mapped values. */
const RESERVED = new Set([
  "id",
  "remote_id",
  "created_at",
  "modified_at",
  "remote_was_deleted",
  "field_mappings",
  "remote_data",
  "remote_fields",
]);

/** The shape a target field name takes: a JSON key a client can use as an identifier. */
export const TARGET_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The value at `path` in a payload; undefined when any step is missing. */
export function valueAtPath(payload: unknown, path: readonly PathStep[]): unknown {
  let value = payload;
  for (const step of path) {
    if (Array.isArray(value) && typeof step === "number") value = value[step];
    else if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      typeof step === "string"
    ) {
      value = Object.hasOwn(value, step) ? (value as Record<string, unknown>)[step] : undefined;
    } else return undefined;
  }
  return value;
}

/** A path as one text key (`properties.favorite_color`), for comparing and listing paths. */
export function pathKey(path: readonly PathStep[]): string {
  return path.map(String).join(".");
}

const overridableCache = new Map<string, ReadonlyMap<string, z.ZodType>>();

/**
 * The model's fields a mapping may override, with their schemas: plain values (text, numbers, flags, date-times),
 * not references (`account`), lists (`email_addresses`) or bookkeeping.
 */
export function overridableFields(model: CrmModelName): ReadonlyMap<string, z.ZodType> {
  const cached = overridableCache.get(model);
  if (cached) return cached;
  const shape = getUnifiedModel("crm", model).schema.shape as Record<string, z.ZodType>;
  const fields = new Map<string, z.ZodType>();
  for (const [name, schema] of Object.entries(shape)) {
    if (RESERVED.has(name)) continue;
    if (isPlainValue(z.toJSONSchema(schema, { unrepresentable: "any", io: "output" })))
      fields.set(name, schema);
  }
  overridableCache.set(model, fields);
  return fields;
}

function isPlainValue(schema: unknown): boolean {
  const node = schema as { type?: unknown; anyOf?: unknown[] };
  if (Array.isArray(node.anyOf)) {
    const branches = node.anyOf.filter((branch) => (branch as { type?: unknown }).type !== "null");
    return branches.length > 0 && branches.every(isPlainValue);
  }
  const types = Array.isArray(node.type) ? node.type : [node.type];
  const plain = types.filter((type) => type !== "null");
  return (
    plain.length > 0 &&
    plain.every((type) => ["string", "number", "integer", "boolean"].includes(String(type)))
  );
}

/** Why a target field name cannot be used on the model, or undefined when it can. */
export function targetProblem(model: CrmModelName, name: string): string | undefined {
  if (!TARGET_FIELD_NAME.test(name)) {
    return `target_field_name "${name}" must start with a letter or "_" and hold only letters, digits and "_" (at most 64).`;
  }
  if (overridableFields(model).has(name)) return undefined;
  const shape = getUnifiedModel("crm", model).schema.shape as Record<string, unknown>;
  if (RESERVED.has(name) || Object.hasOwn(shape, name)) {
    return `target_field_name "${name}" is a ${model} field a mapping cannot write (a reference, a list or bookkeeping); map onto a plain field or a new name.`;
  }
  return undefined;
}

/** Where a mapping's value lands on an object. */
export type TargetKind = "override" | "organization" | "linked_account";

export interface PlannedTarget {
  name: string;
  path: PathStep[];
  kind: TargetKind;
  /** The mapping it comes from. */
  mappingId: string;
}

/** What the mappings of one connection do to the objects of one model. */
export interface ModelMappingPlan {
  targets: PlannedTarget[];
  /** Changes whenever what the plan writes changes; folded into the projection's version. */
  fingerprint: string;
}

/**
 * The mappings that apply to one connection, per model: its own, and its environment's for its provider
 * (a connection's own mapping of a target wins). `mappings` may hold every mapping of the environment; the
 * environment-wide ones of other providers only decide which targets are the organization's.
 */
export function planFieldMappings(
  mappings: readonly FieldMapping[],
  connection: { id: string; provider: string },
): Map<CrmModelName, ModelMappingPlan> {
  const organizationTargets = new Set(
    mappings.filter((m) => m.connectionId === null).map((m) => `${m.model}\u0000${m.targetFieldName}`),
  );
  const chosen = new Map<string, FieldMapping>();
  for (const mapping of mappings) {
    const own = mapping.connectionId === connection.id;
    const inherited = mapping.connectionId === null && mapping.provider === connection.provider;
    if (!own && !inherited) continue;
    const key = `${mapping.model}\u0000${mapping.targetFieldName}`;
    const previous = chosen.get(key);
    if (previous === undefined || (own && previous.connectionId === null)) chosen.set(key, mapping);
  }
  const plans = new Map<CrmModelName, ModelMappingPlan>();
  const sorted = [...chosen.values()].sort((a, b) =>
    a.targetFieldName < b.targetFieldName ? -1 : a.targetFieldName > b.targetFieldName ? 1 : 0,
  );
  for (const mapping of sorted) {
    const kind: TargetKind = overridableFields(mapping.model).has(mapping.targetFieldName)
      ? "override"
      : organizationTargets.has(`${mapping.model}\u0000${mapping.targetFieldName}`)
        ? "organization"
        : "linked_account";
    const plan = plans.get(mapping.model) ?? { targets: [], fingerprint: "" };
    plan.targets.push({
      name: mapping.targetFieldName,
      path: mapping.traversalPath,
      kind,
      mappingId: mapping.id,
    });
    plans.set(mapping.model, plan);
  }
  for (const plan of plans.values()) {
    const text = JSON.stringify(plan.targets.map((t) => [t.name, t.kind, t.path]));
    plan.fingerprint = createHash("sha256").update(text).digest("hex").slice(0, 16);
  }
  return plans;
}

/**
 * The object's fields with the plan applied: overridden fields replaced, and `field_mappings` holding the
 * values of custom targets (null where the payload has no value at the path).
 *
 * An override takes the payload's value when the field's schema accepts it (numbers from numeric text and
 * date-times from dates are converted); a value the field cannot hold leaves the mapper's value in place.
 */
export function applyFieldMappings(
  model: CrmModelName,
  fields: Record<string, unknown>,
  payload: unknown,
  plan: ModelMappingPlan,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...fields };
  const organization: Record<string, unknown> = {};
  const linkedAccount: Record<string, unknown> = {};
  for (const target of plan.targets) {
    const value = valueAtPath(payload, target.path);
    if (target.kind === "override") {
      const schema = overridableFields(model).get(target.name)!;
      const accepted = acceptedValue(schema, value);
      if (accepted.ok) result[target.name] = accepted.value;
    } else {
      (target.kind === "organization" ? organization : linkedAccount)[target.name] = value ?? null;
    }
  }
  result.field_mappings = {
    organization_defined_targets: organization,
    linked_account_defined_targets: linkedAccount,
  };
  return result;
}

function acceptedValue(schema: z.ZodType, value: unknown): { ok: true; value: unknown } | { ok: false } {
  const candidates: unknown[] = [value ?? null];
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    candidates.push(Number(value));
  }
  if (typeof value === "string" && Number.isFinite(Date.parse(value))) {
    candidates.push(new Date(value).toISOString());
  }
  if (typeof value === "number" || typeof value === "boolean") candidates.push(String(value));
  if (typeof value === "number" && Number.isFinite(value)) candidates.push(Math.round(value));
  for (const candidate of candidates) {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return { ok: true, value: parsed.data ?? null };
  }
  return { ok: false };
}
