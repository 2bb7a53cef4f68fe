/**
 * Dot paths into parsed JSON (`paging.next.after`), the declarative way pagination and record selection
 * point at things in a body.
 */

/** The value at a dot path ("" or "." is the value itself); undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  if (path === "" || path === ".") return value;
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
