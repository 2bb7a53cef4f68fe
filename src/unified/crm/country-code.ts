/**
 * A provider's country value as Merge's `CountryEnum`: an ISO 3166-1 alpha-2 code, or an English country name
 * (`Germany`, `United States`) turned into its code. Anything else is null: the raw value stays in
 * `remote_data`, nothing is guessed.
 */
import { COUNTRY_CODES } from "./country.ts";

const codes = new Set<string>(COUNTRY_CODES);
let byName: Map<string, string> | undefined;

function namesToCodes(): Map<string, string> {
  const names = new Intl.DisplayNames(["en"], { type: "region" });
  const map = new Map<string, string>();
  for (const code of COUNTRY_CODES) {
    const name = names.of(code);
    if (name) map.set(name.toLowerCase(), code);
  }
  // Common names Intl spells otherwise.
  for (const [name, code] of [
    ["usa", "US"],
    ["united states of america", "US"],
    ["uk", "GB"],
    ["great britain", "GB"],
  ] as const) {
    map.set(name, code);
  }
  return map;
}

export function countryCode(value: unknown): (typeof COUNTRY_CODES)[number] | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  if (codes.has(trimmed.toUpperCase()) && trimmed.length === 2) {
    return trimmed.toUpperCase() as (typeof COUNTRY_CODES)[number];
  }
  byName ??= namesToCodes();
  return (byName.get(trimmed.toLowerCase()) as (typeof COUNTRY_CODES)[number] | undefined) ?? null;
}
