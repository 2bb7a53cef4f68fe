/**
 * Everything the emulator's routes share: the kit's core (tokens, rate limiter, fault plan, OAuth server)
 * and HubSpot's data. Routes receive it as an argument; nothing is global.
 */

import type { EmulatorCore } from "../../../emulator/core.ts";
import { booleanParam } from "../../../emulator/params.ts";
import { type ObjectTypeName, resolveObjectType } from "./catalog.ts";
import type { Dataset } from "./dataset.ts";
import { validationError } from "./errors.ts";
import type { RateLimitConfig } from "./rate-limit.ts";

export { listParam, singleParam } from "../../../emulator/params.ts";

export interface EmulatorContext extends EmulatorCore<RateLimitConfig> {
  dataset: Dataset;
}

/** The object type a path segment names, or HubSpot's 400 when it names none. */
export function objectTypeParam(segment: string): ObjectTypeName {
  const type = resolveObjectType(segment);
  if (!type) throw validationError(`Unable to infer object type from: ${segment}`);
  return type;
}

/** A numeric record id from a path or body, or undefined when it cannot be one of ours. */
export function numericId(raw: string | number): number | undefined {
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** `archived=true|false` (default false); anything else is HubSpot's 400. */
export function archivedParam(value: string | string[] | undefined): boolean {
  return booleanParam(value, "archived");
}
