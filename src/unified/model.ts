/** What the unified API knows about one Common Model: its schemas and the envelopes around them. */
import type { z } from "zod";

export type UnifiedCategory = "crm";

export interface UnifiedModel {
  category: UnifiedCategory;
  /** Merge's name of the model (`Account`). */
  name: string;
  /** The path segment of its endpoints, as Merge names it (`accounts` in `/crm/v1/accounts`). */
  path: string;
  /** The model as reads return it. */
  schema: z.ZodObject;
  /** `{next, previous, results}` of the model. */
  list: z.ZodType;
  /** Present when the model can be written: the POST and PATCH bodies and the write response. */
  writes?: {
    /** The fields a POST accepts (`AccountRequest`). */
    create: z.ZodObject;
    /** The fields a PATCH accepts (`PatchedAccountRequest`). */
    patch: z.ZodObject;
    /** `{model: create}`, the POST body. */
    createBody: z.ZodType;
    /** `{model: patch}`, the PATCH body. */
    patchBody: z.ZodType;
    /** `{model, warnings, errors, logs}`. */
    response: z.ZodType;
  };
}
