/**
 * The registry of unified Common Models, by category and name, and their JSON Schema (draft 2020-12, as
 * the OpenAPI 3.1 document takes it). Nested shapes carry `crm.<Name>` ids and come out as `$defs`, which
 * the OpenAPI builder turns into shared components.
 */
import { z } from "zod";
import { crmModels } from "./crm/index.ts";
import type { UnifiedCategory, UnifiedModel } from "./model.ts";

export type { UnifiedCategory, UnifiedModel } from "./model.ts";

export const unifiedModels: readonly UnifiedModel[] = [...crmModels];

/** The model `name` of `category`; throws, naming the known models, when there is none. */
export function getUnifiedModel(category: UnifiedCategory, name: string): UnifiedModel {
  const model = unifiedModels.find((candidate) => candidate.category === category && candidate.name === name);
  if (model) return model;
  const known = unifiedModels.filter((candidate) => candidate.category === category).map((m) => m.name);
  throw new Error(`No unified ${category} model named "${name}". Known models: ${known.join(", ")}.`);
}

export type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema of a schema. Responses convert as `output`, request bodies as `input` (what a client may
 * send).
 */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output" = "output"): JsonSchema {
  return z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
}

/** Standalone JSON Schemas of a model and its envelopes; shared shapes sit in each one's `$defs`. */
export interface ModelJsonSchemas {
  model: JsonSchema;
  list: JsonSchema;
  createBody?: JsonSchema;
  patchBody?: JsonSchema;
  writeResponse?: JsonSchema;
}

export function modelJsonSchemas(model: UnifiedModel): ModelJsonSchemas {
  const schemas: ModelJsonSchemas = { model: toJsonSchema(model.schema), list: toJsonSchema(model.list) };
  if (model.writes) {
    schemas.createBody = toJsonSchema(model.writes.createBody, "input");
    schemas.patchBody = toJsonSchema(model.writes.patchBody, "input");
    schemas.writeResponse = toJsonSchema(model.writes.response);
  }
  return schemas;
}
