/**
 * What one record (or linked pair of records) of a flow should become: pure decisions, no I/O.
 *
 * A link keeps, per mapping rule (keyed by its `to` field), the value each side holds as far as the flow
 * knows. A side changed a field when its record's value differs from the link's. One way: the target gets the
 * mapped values that differ from what was last written. Two ways: a field changed on one side only goes to the
 * other; a field changed on both sides to different values is a conflict, won by the newer record
 * (`remote_updated_at`) or by the side the policy names for that field. Only fields that differ from what the
 * other side holds are written, and the link then holds what both sides hold after the writes, so reading the
 * written record back is no change (no loop).
 */
import { createHash } from "node:crypto";
import { valueAt } from "../reverse-etl/mapping.ts";
import type { ConflictPolicy, FieldRule } from "./definitions.ts";
import { applyTransforms } from "./transforms.ts";

type Source = Readonly<Record<string, unknown>>;
/** Values by rule key (the rule's `to` field). */
export type FieldValues = Record<string, unknown>;

export interface LinkValues {
  from: FieldValues;
  to: FieldValues;
}

/** A side's current record (as cached) and when it last changed. */
export interface SideRecord {
  record: Source;
  changedAt: string;
}

export interface Plan {
  /** Input fields to write to the `to` side (all of them for a create), or undefined for no write. */
  toWrite: FieldValues | undefined;
  fromWrite: FieldValues | undefined;
  /** What the link holds after the writes. */
  next: LinkValues;
  /** Fields both sides changed to different values. */
  conflicts: number;
}

/** Missing, null and empty text are one "no value"; scalars compare as text (providers echo numbers as text). */
export function sameValue(a: unknown, b: unknown): boolean {
  const none = (v: unknown) => v === null || v === undefined || v === "";
  if (none(a) || none(b)) return none(a) && none(b);
  if (typeof a !== "object" && typeof b !== "object") return String(a) === String(b);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A stable hash of values (sorted keys): what is remembered of a write, for echo suppression. */
export function valuesHash(values: FieldValues): string {
  const sorted = Object.keys(values)
    .sort()
    .map((key) => [key, values[key] ?? null]);
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex").slice(0, 32);
}

/** The source record's mapped values: each rule's value at `from`, through its transforms. */
export function forwardValues(record: Source, rules: readonly FieldRule[]): FieldValues {
  const out: FieldValues = {};
  for (const rule of rules)
    out[rule.to] = applyTransforms(
      rule.from ? (valueAt(record, rule.from) ?? null) : null,
      rule.transforms ?? [],
      record,
    );
  return out;
}

/** What a side's record holds of each rule's field (`from` on the source, `to_read ?? to` on the target). */
export function readValues(record: Source, rules: readonly FieldRule[], side: "from" | "to"): FieldValues {
  const out: FieldValues = {};
  for (const rule of rules) {
    const path = side === "from" ? rule.from : (rule.to_read ?? rule.to);
    out[rule.to] = path ? (valueAt(record, path) ?? null) : null;
  }
  return out;
}

/**
 * One way: `desired` are the mapped values of the source record (forwardValues, or a code-first map's
 * output). Without a link everything is written (a create); with one, only what differs from the last write.
 */
export function planOneWay(desired: FieldValues, link: LinkValues | undefined): Plan {
  const next: LinkValues = { from: desired, to: desired };
  if (!link) return { toWrite: { ...desired }, fromWrite: undefined, next, conflicts: 0 };
  const toWrite: FieldValues = {};
  for (const [key, value] of Object.entries(desired))
    if (!sameValue(value, link.to[key])) toWrite[key] = value;
  return {
    toWrite: Object.keys(toWrite).length > 0 ? toWrite : undefined,
    fromWrite: undefined,
    next,
    conflicts: 0,
  };
}

/**
 * Two ways, for a linked pair (or a record of one side not linked yet: a create on the other). A side whose
 * record is not in the cache counts as holding the link's values.
 */
export function planTwoWay(input: {
  rules: readonly FieldRule[];
  link: LinkValues | undefined;
  from: SideRecord | undefined;
  to: SideRecord | undefined;
  conflict: ConflictPolicy;
}): Plan {
  const { rules, link, from, to } = input;
  const fromNow = from ? readValues(from.record, rules, "from") : undefined;
  const toNow = to ? readValues(to.record, rules, "to") : undefined;
  const forward = from ? forwardValues(from.record, rules) : undefined;
  const next: LinkValues = { from: {}, to: {} };
  const toWrite: FieldValues = {};
  const fromWrite: FieldValues = {};
  let conflicts = 0;
  const fromWins = newerIsFrom(from, to);
  for (const rule of rules) {
    const key = rule.to;
    const heldFrom = fromNow ? fromNow[key] : link?.from[key];
    const heldTo = toNow ? toNow[key] : link?.to[key];
    const fromChanged = fromNow !== undefined && (!link || !sameValue(heldFrom, link.from[key]));
    const toChanged = toNow !== undefined && (!link || !sameValue(heldTo, link.to[key]));
    const reversed = () => applyTransforms(heldTo ?? null, rule.reverse_transforms ?? [], to?.record ?? {});
    let take: "from" | "to" | "none" = "none";
    if (fromChanged && toChanged) {
      if (sameValue(forward![key], heldTo)) take = "from";
      else {
        conflicts++;
        const truth = input.conflict.policy === "source_of_truth" ? input.conflict.fields[key] : undefined;
        take = truth ?? (fromWins ? "from" : "to");
      }
    } else if (fromChanged) take = "from";
    else if (toChanged) take = "to";
    if (take === "from") {
      next.from[key] = heldFrom ?? null;
      next.to[key] = forward![key] ?? null;
    } else if (take === "to") {
      next.from[key] = reversed() ?? null;
      next.to[key] = heldTo ?? null;
    } else {
      next.from[key] = link?.from[key] ?? heldFrom ?? null;
      next.to[key] = link?.to[key] ?? heldTo ?? null;
    }
    // A side not read (not in the cache) is written only when linked: a create needs the other side's record.
    if ((to || link) && !sameValue(next.to[key], heldTo)) toWrite[key] = next.to[key];
    if ((from || link) && rule.from && !sameValue(next.from[key], heldFrom))
      fromWrite[rule.from_write ?? rule.from] = next.from[key];
  }
  const creating = (side: SideRecord | undefined) => !link && side === undefined;
  return {
    toWrite:
      creating(to) || Object.keys(toWrite).length > 0 ? pickWrite(toWrite, next.to, creating(to)) : undefined,
    fromWrite:
      creating(from) || Object.keys(fromWrite).length > 0
        ? pickWrite(fromWrite, fromWriteAll(rules, next.from), creating(from))
        : undefined,
    next,
    conflicts,
  };
}

/** A create sends every mapped value; an update only the changed ones. */
function pickWrite(changed: FieldValues, all: FieldValues, create: boolean): FieldValues {
  return create ? { ...all } : changed;
}

/** The link's `from` values keyed by where they are written on the source. */
function fromWriteAll(rules: readonly FieldRule[], values: FieldValues): FieldValues {
  const out: FieldValues = {};
  for (const rule of rules) if (rule.from) out[rule.from_write ?? rule.from] = values[rule.to] ?? null;
  return out;
}

/** Newest wins: the source when it changed at the same time or later (or when a time is unknown). */
function newerIsFrom(from: SideRecord | undefined, to: SideRecord | undefined): boolean {
  if (!from || !to) return from !== undefined;
  const a = Date.parse(from.changedAt);
  const b = Date.parse(to.changedAt);
  if (Number.isNaN(a) || Number.isNaN(b)) return true;
  return a >= b;
}
