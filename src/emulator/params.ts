/**
 * Reading query parameters as providers take them: a parameter may repeat, lists may be comma-separated,
 * booleans are `true`/`false`. A value the provider would refuse throws `ParamError`, which the kit's
 * server answers as the provider's 400 (its `invalidRequest`).
 */

/** A request parameter the provider would refuse; rendered through the provider's `invalidRequest`. */
export class ParamError extends Error {}

type QueryValue = string | string[] | undefined;

/** The last value of a query parameter that may repeat. */
export function singleParam(value: QueryValue): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Query values that may repeat and may hold comma-separated lists, flattened. */
export function listParam(value: QueryValue): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((entry) => entry.split(","))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** `true` or `false` (`fallback` when absent or empty); anything else is refused, naming the parameter. */
export function booleanParam(value: QueryValue, name: string, fallback = false): boolean {
  const text = singleParam(value);
  if (text === undefined || text === "") return fallback;
  if (text === "true") return true;
  if (text === "false") return false;
  throw new ParamError(`${name} must be true or false, but was "${text}".`);
}
