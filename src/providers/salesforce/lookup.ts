/**
 * Finds records by the value of one field, many values at a time: `SELECT Id, {field} FROM {object} WHERE
 * {field} IN ('a', 'b', …)`, in chunks so that a query stays well under SOQL's length limit, following
 * `nextRecordsUrl`. Values are quoted as SOQL string literals (backslash and quote escaped), so a value can
 * never change the query. Matching is Salesforce's: case-insensitive for text fields.
 */
import type { HttpClient } from "../../core/index.ts";
import { DATA_PATH, describePath } from "./api.ts";

/** Values per query: 200 emails of ~40 characters keep a query near 10 KB (SOQL allows 100,000). */
const VALUES_PER_QUERY = 200;

/** `'it''s'` is not SOQL: quotes and backslashes are escaped with a backslash, as are control characters. */
export function soqlString(value: string): string {
  const escaped = value.replace(/[\\'"\n\r\t\f\b]/g, (char) => {
    const named: Record<string, string> = { "\n": "n", "\r": "r", "\t": "t", "\f": "f", "\b": "b" };
    return `\\${named[char] ?? char}`;
  });
  return `'${escaped}'`;
}

/** Field and object names go into the query as they are: only API names pass. */
function apiName(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a Salesforce API name.`);
  return name;
}

interface QueryPage {
  records: Record<string, unknown>[];
  done: boolean;
  nextRecordsUrl?: string;
}

/**
 * The ids of the live records of `object` whose `field` holds each value, keyed by the value lower-cased
 * (a value no record holds is absent). More than one id for a value means the value is ambiguous.
 */
export async function findIdsByField(
  http: HttpClient,
  object: string,
  field: string,
  values: readonly string[],
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const unique = [...new Set(values.filter((value) => value !== ""))];
  for (let start = 0; start < unique.length; start += VALUES_PER_QUERY) {
    const chunk = unique.slice(start, start + VALUES_PER_QUERY);
    const soql = `SELECT Id, ${apiName(field)} FROM ${apiName(object)} WHERE ${apiName(field)} IN (${chunk.map(soqlString).join(", ")})`;
    let page = (
      await http.request<QueryPage>({ method: "GET", path: `${DATA_PATH}/query`, query: { q: soql } })
    ).body;
    for (;;) {
      for (const record of page.records) {
        const value = record[field];
        if (typeof value !== "string" || typeof record.Id !== "string") continue;
        const key = value.toLowerCase();
        found.set(key, [...(found.get(key) ?? []), record.Id]);
      }
      if (page.done || !page.nextRecordsUrl) break;
      page = (await http.request<QueryPage>({ method: "GET", path: page.nextRecordsUrl })).body;
    }
  }
  return found;
}

/** Whether `field` of `object` is an External ID field in this org (its describe says so): upserts may match on it. */
export async function isExternalIdField(http: HttpClient, object: string, field: string): Promise<boolean> {
  const response = await http.request<{ fields?: { name?: unknown; externalId?: unknown }[] }>({
    path: describePath(apiName(object)),
  });
  return (response.body.fields ?? []).some((f) => f.name === field && f.externalId === true);
}
