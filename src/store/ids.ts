import { randomUUID } from "node:crypto";

/** A new unique id with a readable prefix (`run_…`, `conn_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
