/**
 * Salesforce record ids: 15 case-sensitive characters (a 3-character key prefix naming the object, then the
 * record's own part) and the 18-character form the REST API returns, whose last 3 characters encode the
 * case of the first 15 so the id survives case-insensitive tools. The emulator maps each table's integer id
 * to one of these and back.
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
/** Instance and reserved characters between the key prefix and the record number (`5g00`, as on a pod). */
const MIDDLE = "5g00";
const NUMBER_WIDTH = 8;

/** The 3 characters that make a 15-character id case-insensitively unique. */
export function caseSuffix(id15: string): string {
  let suffix = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const char = id15[chunk * 5 + i]!;
      if (char >= "A" && char <= "Z") bits |= 1 << i;
    }
    suffix += SUFFIX[bits];
  }
  return suffix;
}

/** The 18-character id of record `n` of the object with `keyPrefix` (`003` for Contact). */
export function toSalesforceId(keyPrefix: string, n: number): string {
  let digits = "";
  for (let rest = n; digits.length < NUMBER_WIDTH; rest = Math.floor(rest / 62))
    digits = BASE62[rest % 62] + digits;
  const id15 = `${keyPrefix}${MIDDLE}${digits}`;
  return id15 + caseSuffix(id15);
}

/**
 * The record number of a 15- or 18-character id of the object with `keyPrefix`; undefined when the text is
 * not such an id (wrong length, prefix, characters or case suffix).
 */
export function fromSalesforceId(keyPrefix: string, id: string): number | undefined {
  if (id.length !== 15 && id.length !== 18) return undefined;
  const id15 = id.slice(0, 15);
  if (id.length === 18 && id.slice(15).toUpperCase() !== caseSuffix(id15)) return undefined;
  if (!id15.startsWith(keyPrefix + MIDDLE)) return undefined;
  let n = 0;
  for (const char of id15.slice(keyPrefix.length + MIDDLE.length)) {
    const digit = BASE62.indexOf(char);
    if (digit < 0) return undefined;
    n = n * 62 + digit;
  }
  return n;
}

/** Whether the text looks like a Salesforce id at all (15 or 18 letters and digits). */
export function looksLikeId(text: string): boolean {
  return /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(text);
}
