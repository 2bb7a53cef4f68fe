/**
 * Redaction: secrets must never reach a URL we log, an event, or an error message.
 */

export const REDACTED = "[REDACTED]";

/** Returns `text` with every occurrence of every non-empty secret replaced by "[REDACTED]". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== "" && out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  }
  return out;
}

/** Returns `url` with the values of the named query parameters replaced by "[REDACTED]", whatever they hold. */
export function redactQueryParams(url: string, names: readonly string[]): string {
  const pattern = queryParamPattern(names);
  return pattern ? url.replace(pattern, `$1${REDACTED}`) : url;
}

/** Matches `name=value` after `?` or `&`, for any of the names in raw or URL-encoded spelling. */
function queryParamPattern(names: readonly string[]): RegExp | undefined {
  if (names.length === 0) return undefined;
  const alternatives = names.flatMap((name) => [escapeRegExp(name), escapeRegExp(encodeURIComponent(name))]);
  return new RegExp(`([?&](?:${alternatives.join("|")})=)[^&#]*`, "g");
}

/**
 * Every spelling of a secret that can end up in text: as is, URL-encoded, and form-encoded.
 * Longest first, so a longer secret is never half-replaced by a shorter one it contains.
 */
export function secretSpellings(values: readonly string[]): string[] {
  const all = new Set<string>();
  for (const value of values) {
    if (value === "") continue;
    all.add(value);
    all.add(encodeURIComponent(value));
    all.add(new URLSearchParams({ v: value }).toString().slice(2));
  }
  return [...all].sort((a, b) => b.length - a.length);
}

/** A redactor bound to one credential set: applies secrets and sensitive query parameters together. */
export type Redactor = (text: string) => string;

/** Builds a Redactor that removes the given secrets and the values of the given query parameters. */
export function createRedactor(secrets: readonly string[], queryParams: readonly string[] = []): Redactor {
  const spellings = secretSpellings(secrets);
  const pattern = queryParamPattern(queryParams);
  return (text) => {
    const clean = redact(text, spellings);
    return pattern ? clean.replace(pattern, `$1${REDACTED}`) : clean;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
