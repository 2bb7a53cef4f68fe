/** Test helper: the path of the first issue zod reports (`addresses.0.country`), or undefined when valid. */
export function firstIssuePath(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[] }[] };
}): string | undefined {
  return result.success ? undefined : result.error?.issues[0]?.path.join(".");
}
