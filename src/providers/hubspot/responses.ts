/**
 * HubSpot response shapes, validated at the boundary. A page whose shape is wrong fails with
 * ProviderResponseError; a single record that is wrong fails with RecordInvalidError (see records.ts).
 */
import { z } from "zod";
import type { HttpResponse } from "../../core/index.ts";
import { parseResponse } from "../kit/index.ts";

const idValue = z.union([z.string().min(1), z.number()]).transform(String);
const nextPage = z
  .object({ next: z.object({ after: z.union([z.string(), z.number()]).transform(String) }).optional() })
  .optional();

/** One CRM object. Checked per record, so the problem can name the record. */
export const crmObjectSchema = z.object({
  id: idValue,
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean().optional(),
  archivedAt: z.string().optional(),
  associations: z
    .record(
      z.string(),
      z.object({ results: z.array(z.object({ id: idValue, type: z.string().optional() })) }),
    )
    .optional(),
});
export type CrmObjectResponse = z.infer<typeof crmObjectSchema>;

/**
 * The usual CRM object checked by hand, without zod's copy of every field: text ids, property values that
 * are text, numbers, booleans or null, text times, association ids as text. Returns what
 * `crmObjectSchema.parse` returns for it (unknown fields left out), sharing the raw properties and
 * association lists; anything else (numeric ids, a wrong field) is undefined, for the schema to parse or
 * to explain. This runs for every record of every page.
 */
export function asCrmObject(raw: Record<string, unknown>): CrmObjectResponse | undefined {
  const { id, properties, createdAt, updatedAt, archived, archivedAt, associations } = raw;
  if (typeof id !== "string" || id === "" || typeof createdAt !== "string" || typeof updatedAt !== "string")
    return undefined;
  if (!isPlainObject(properties)) return undefined;
  for (const name in properties) {
    const value = properties[name];
    if (typeof value === "number" ? !Number.isFinite(value) : !isTextFlagOrNull(value)) return undefined;
  }
  if (archived !== undefined && typeof archived !== "boolean") return undefined;
  if (archivedAt !== undefined && typeof archivedAt !== "string") return undefined;
  if (associations !== undefined && !areAssociations(associations)) return undefined;
  const parsed: CrmObjectResponse = {
    id,
    properties: properties as CrmObjectResponse["properties"],
    createdAt,
    updatedAt,
  };
  if (archived !== undefined) parsed.archived = archived;
  if (archivedAt !== undefined) parsed.archivedAt = archivedAt;
  if (associations !== undefined) parsed.associations = associations;
  return parsed;
}

/** What a property may hold besides a (finite) number, as the schema says. */
function isTextFlagOrNull(value: unknown): boolean {
  return value === null || typeof value === "string" || typeof value === "boolean";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function areAssociations(value: unknown): value is NonNullable<CrmObjectResponse["associations"]> {
  if (!isPlainObject(value)) return false;
  for (const type in value) {
    const entry = value[type];
    if (!isPlainObject(entry) || !Array.isArray(entry.results)) return false;
    // Only `results` is kept by the schema; anything else beside it is a reason to let the schema copy.
    for (const key in entry) if (key !== "results") return false;
    for (const result of entry.results as unknown[]) {
      if (!isPlainObject(result) || typeof result.id !== "string" || result.id === "") return false;
      for (const key in result) {
        if (key === "type" ? typeof result.type !== "string" : key !== "id") return false;
      }
    }
  }
  return true;
}

/**
 * Each result must be a plain object. Checked without copying it: crmObjectSchema parses (and copies) it
 * once more, record by record, and a page of a hundred records is on the hot path of every sync.
 */
const resultObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { message: "Expected an object" },
);

/** A list page: `results` must be an array of objects; their contents are checked record by record. */
export const listPageSchema = z.object({
  results: z.array(resultObject),
  paging: nextPage,
});

/** A search page adds `total`. */
export const searchPageSchema = listPageSchema.extend({ total: z.number() });

export const propertiesSchema = z.object({
  results: z.array(z.object({ name: z.string().min(1), type: z.string() }).loose()),
});

/** v4 batch association read; ids without associations come back in `errors` (status 207). */
export const associationBatchSchema = z.object({
  results: z.array(
    z.object({
      from: z.object({ id: idValue }),
      to: z.array(z.object({ toObjectId: idValue })),
      paging: nextPage,
    }),
  ),
  errors: z
    .array(
      z
        .object({ category: z.string().optional(), subCategory: z.unknown().optional(), message: z.string() })
        .loose(),
    )
    .optional(),
});

/** Parses a response body or throws ProviderResponseError naming the request and the first problems. */
export const parseBody = <S extends z.ZodType>(
  schema: S,
  response: HttpResponse,
  what: string,
): z.output<S> => parseResponse(schema, response, what, "hubspot");
