/** The SOQL of a sync: every described field, and on an incremental read only rows changed since a time. */
import type { ObjectField } from "./describe.ts";

/** `2026-01-02T03:04:05Z`: a SOQL datetime literal, rounded down to the second (never asks for less). */
export function soqlDateTime(iso: string): string {
  return `${new Date(Date.parse(iso)).toISOString().slice(0, 19)}Z`;
}

/**
 * `SELECT … FROM Contact [WHERE SystemModstamp >= …] ORDER BY SystemModstamp ASC, Id ASC`. SystemModstamp
 * (not LastModifiedDate) moves on every change, system ones included, and is indexed.
 */
export function syncQuery(object: string, fields: readonly ObjectField[], since: string | undefined): string {
  const where = since === undefined ? "" : ` WHERE SystemModstamp >= ${soqlDateTime(since)}`;
  return `SELECT ${fields.map((field) => field.name).join(", ")} FROM ${object}${where} ORDER BY SystemModstamp ASC, Id ASC`;
}
