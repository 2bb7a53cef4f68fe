/**
 * Everything the emulator's routes share: the kit's core (tokens, rate limiter, fault plan, OAuth server)
 * and HubSpot's data. Routes receive it as an argument; nothing is global.
 */

import type { EmulatorCore } from "../../../emulator/core.ts";
import { type ObjectTypeName, resolveObjectType } from "./catalog.ts";
import type { Dataset } from "./dataset.ts";
import { validationError } from "./errors.ts";
import type { PublicOwner } from "./owners.ts";
import type { RateLimitConfig } from "./rate-limit.ts";

export interface EmulatorContext extends EmulatorCore<RateLimitConfig> {
  dataset: Dataset;
  /** The account's users, seeded; read-only like HubSpot's owners API. */
  owners: readonly PublicOwner[];
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

/** Query values that may repeat and may hold comma-separated lists, flattened. */
export function listParam(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((entry) => entry.split(","))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** The last value of a query parameter that may repeat. */
export function singleParam(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** `archived=true|false` (default false); anything else is HubSpot's 400. */
export function archivedParam(value: string | string[] | undefined): boolean {
  const text = singleParam(value);
  if (text === undefined || text === "" || text === "false") return false;
  if (text === "true") return true;
  throw validationError(`archived must be true or false, but was "${text}".`);
}
