/**
 * sObject describe: the fields of an object in this org (custom `__c` fields included), read at the start of
 * every sync so fields added since flow through. They become the SELECT list and type each column.
 */
import { z } from "zod";
import type { ColumnType, HttpClient } from "../../core/index.ts";
import { ProviderResponseError } from "../../core/index.ts";
import { describePath } from "./api.ts";

/** Salesforce field types → column types; types not listed are text. */
const COLUMN_TYPES: Readonly<Record<string, ColumnType>> = {
  boolean: "boolean",
  int: "integer",
  long: "integer",
  double: "number",
  currency: "number",
  percent: "number",
  date: "timestamp",
  datetime: "timestamp",
};

/**
 * Compound fields repeat their parts (MailingAddress is MailingStreet, MailingCity…) and base64 bodies
 * are fetched one record at a time; neither goes in the SELECT list.
 */
const NOT_SELECTED = new Set(["address", "location", "base64"]);

const describeSchema = z.looseObject({
  fields: z.array(
    z.looseObject({ name: z.string().min(1), type: z.string(), custom: z.boolean().optional() }),
  ),
});

export interface ObjectField {
  name: string;
  column: ColumnType;
  custom: boolean;
}

/** The fields a sync selects from `object`, each with its column type. */
export async function describeFields(
  http: HttpClient,
  object: string,
  signal?: AbortSignal,
): Promise<ObjectField[]> {
  const response = await http.request({ path: describePath(object) }, ...(signal ? [{ signal }] : []));
  const parsed = describeSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new ProviderResponseError("salesforce", `the describe of ${object} has no fields list`, {
      url: response.url,
    });
  }
  return parsed.data.fields
    .filter((field) => !NOT_SELECTED.has(field.type))
    .map((field) => ({
      name: field.name,
      column: Object.hasOwn(COLUMN_TYPES, field.type) ? COLUMN_TYPES[field.type]! : "string",
      custom: field.custom === true,
    }));
}
