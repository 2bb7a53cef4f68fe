/** A validation problem at a path, as zod (and any `safeParse` with the same shape) reports it. */
export interface PathIssue {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * Validation problems as one line (`fullRefresh.startedAt: Invalid ISO datetime; …`). `max` caps how many
 * are named (the rest are counted); `root` names a problem with an empty path.
 */
export function describeIssues(
  issues: readonly PathIssue[],
  options: { max?: number; root?: string } = {},
): string {
  const shown = issues.slice(0, options.max ?? issues.length).map((issue) => {
    const path = issue.path.map(String).join(".") || options.root;
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : "";
  return shown.join("; ") + more;
}
