/**
 * What every object write checks, for single and batch endpoints alike: the body's shape, that each
 * property exists and is writable, the company a new record is associated with, and email uniqueness.
 */

import { z } from "zod";
import { parseBody as parseRequestBody } from "../../../emulator/body.ts";
import { EmulatorError } from "../../../emulator/errors.ts";
import { associationKind, OBJECT_SPECS, type ObjectTypeName } from "./catalog.ts";
import { numericId } from "./context.ts";
import type { Dataset } from "./dataset.ts";
import { type ErrorDetail, hubspotErrors, validationError } from "./errors.ts";
import type { PropertyValues } from "./generate.ts";
import { findRecordId } from "./object-lookup.ts";

const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const propertiesSchema = z.record(z.string(), propertyValue);

export const associationInputSchema = z.object({
  to: z.object({ id: z.union([z.string(), z.number()]) }),
  types: z.array(z.object({ associationCategory: z.string(), associationTypeId: z.number() })).min(1),
});

/** The body of a create (`POST /crm/v3/objects/{type}`, and each batch create input). */
export const createInputSchema = z.object({
  properties: propertiesSchema,
  associations: z.array(associationInputSchema).optional(),
  objectWriteTraceId: z.string().optional(),
});
export type CreateInput = z.infer<typeof createInputSchema>;

/** Parses a request body, or throws HubSpot's 400 listing each problem by path. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  return parseRequestBody(hubspotErrors, schema, body, "Invalid input JSON: ");
}

/** Property values to store: every name must exist and be writable; values become strings. */
export function writableValues(
  dataset: Dataset,
  type: ObjectTypeName,
  input: Record<string, string | number | boolean | null>,
): PropertyValues {
  const errors: ErrorDetail[] = [];
  const values: PropertyValues = {};
  for (const [name, value] of Object.entries(input)) {
    const property = dataset.propertySpec(type, name);
    if (!property) {
      errors.push({
        message: `Property "${name}" does not exist`,
        code: "PROPERTY_DOESNT_EXIST",
        context: { propertyName: [name] },
      });
    } else if (property.readOnly) {
      errors.push({
        message: `Property "${name}" is read-only`,
        code: "READ_ONLY_VALUE",
        context: { propertyName: [name] },
      });
    } else if (name === "email" && type === "contacts" && value !== null && value !== "" && !isEmail(value)) {
      errors.push({
        message: `Email address ${String(value)} is invalid`,
        code: "INVALID_EMAIL",
        context: { propertyName: [name] },
      });
    } else {
      values[name] = value === null || value === "" ? null : String(value);
    }
  }
  // HubSpot spells each refused value out in the message too.
  if (errors.length > 0) {
    const listed = errors.map((e) => ({
      isValid: false,
      message: e.message,
      error: e.code,
      name: e.context?.propertyName?.[0],
    }));
    throw validationError(`Property values were not valid: ${JSON.stringify(listed)}`, errors);
  }
  return values;
}

/** HubSpot refuses a contact's email without one @ between a local part and a dotted domain. */
function isEmail(value: string | number | boolean): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(value));
}

/** The company a create request associates a contact or deal with (last one wins), checked to exist. */
export function companyAssociation(
  dataset: Dataset,
  type: ObjectTypeName,
  associations: CreateInput["associations"],
): number | undefined {
  let companyId: number | undefined;
  for (const association of associations ?? []) {
    const id = numericId(association.to.id);
    const kind = associationKind(type, "companies");
    const typeIds = association.types.map((spec) => spec.associationTypeId);
    if (!kind || id === undefined || !dataset.table("companies").isLive(id)) {
      throw validationError(
        `Association target ${association.to.id} is not a ${OBJECT_SPECS.companies.singular} we can associate.`,
      );
    }
    if (!typeIds.every((typeId) => typeId === kind.primaryTypeId || typeId === kind.unlabeledTypeId)) {
      throw validationError(
        `associationTypeId must be ${kind.primaryTypeId} or ${kind.unlabeledTypeId} from ${type} to companies, but was ${typeIds.join(", ")}.`,
      );
    }
    companyId = id;
  }
  return companyId;
}

/**
 * The emails one write (a single call or a whole batch) gives contacts: HubSpot's 409 CONFLICT when
 * another contact holds one already, or when two inputs of the batch claim the same.
 */
export class EmailClaims {
  private readonly claimed = new Set<string>();

  constructor(
    private readonly dataset: Dataset,
    private readonly type: ObjectTypeName,
  ) {}

  /** Claims the email `values` sets on record `self` (undefined for a new record). */
  claim(values: PropertyValues, self?: number): void {
    const email = values.email;
    if (this.type !== "contacts" || typeof email !== "string") return;
    const existing = findRecordId(this.dataset, "contacts", "email", email);
    if (existing !== undefined && existing !== self) {
      throw new EmulatorError(409, "CONFLICT", `Contact already exists. Existing ID: ${existing}`);
    }
    const key = email.toLowerCase();
    if (this.claimed.has(key)) {
      throw new EmulatorError(409, "CONFLICT", `Two inputs of the batch set the same email ${email}.`);
    }
    this.claimed.add(key);
  }
}
