/**
 * A flow's declarative filter: `field op value` clauses on a record, all of which must hold. Values compare
 * as text for `=`/`!=`/`in`/`contains` (providers send numbers as text and back), as numbers or dates for
 * the orderings; a clause on a missing field holds only for `!=`, `not_in` and `not_exists`.
 */
import { valueAt } from "../reverse-etl/mapping.ts";
import type { FilterClause } from "./definitions.ts";
import { toDate } from "./transforms.ts";

type Source = Readonly<Record<string, unknown>>;

/** Whether the record passes every clause. */
export function matchesFilter(record: Source, clauses: readonly FilterClause[]): boolean {
  return clauses.every((clause) => holds(valueAt(record, clause.field), clause));
}

/** Why the clause cannot be evaluated (a list op without a list…), or undefined; checked when a flow is saved. */
export function checkClause(clause: FilterClause): string | undefined {
  const list = clause.op === "in" || clause.op === "not_in";
  if (list && !Array.isArray(clause.value)) return `\`${clause.op}\` takes a list of values`;
  const none = clause.op === "exists" || clause.op === "not_exists";
  if (!none && !list && clause.value === undefined) return `\`${clause.op}\` takes a value`;
  return undefined;
}

const text = (value: unknown) => (typeof value === "object" ? JSON.stringify(value) : String(value));
const missing = (value: unknown) => value === null || value === undefined || value === "";

function holds(value: unknown, clause: FilterClause): boolean {
  switch (clause.op) {
    case "exists":
      return !missing(value);
    case "not_exists":
      return missing(value);
    case "=":
      return !missing(value) && text(value) === text(clause.value);
    case "!=":
      return missing(value) || text(value) !== text(clause.value);
    case "in":
      return !missing(value) && (clause.value as unknown[]).some((v) => text(v) === text(value));
    case "not_in":
      return missing(value) || !(clause.value as unknown[]).some((v) => text(v) === text(value));
    case "contains":
      return !missing(value) && text(value).toLowerCase().includes(text(clause.value).toLowerCase());
    default:
      return !missing(value) && compare(value, clause.value, clause.op);
  }
}

function compare(value: unknown, against: unknown, op: ">" | ">=" | "<" | "<="): boolean {
  const asNumber = (v: unknown) =>
    typeof v === "number" ? v : /^-?\d+(\.\d+)?$/.test(String(v)) ? Number(v) : NaN;
  let left = asNumber(value);
  let right = asNumber(against);
  if (Number.isNaN(left) || Number.isNaN(right)) {
    const a = toDate(value);
    const b = toDate(against);
    if (!a || !b) return false;
    left = a.getTime();
    right = b.getTime();
  }
  switch (op) {
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
  }
}
