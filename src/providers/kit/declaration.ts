/**
 * Checks a declaration (a stream or provider spec) against its zod schema when it is defined, so a
 * mistake in a provider fails at import time with the path of what is wrong, not mid-sync.
 */
import type { z } from "zod";
import { ConfigError, describeIssues } from "../../core/index.ts";

/** The parsed declaration; throws ConfigError naming `what` and every wrong field by its path. */
export function parseDeclaration<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    `${what} is not a valid declaration: ${describeIssues(parsed.error.issues)}.`,
    "Fix the declaration in the provider's definition; docs/provider-kit.md lists every field.",
  );
}
