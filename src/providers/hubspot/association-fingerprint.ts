/**
 * A compact fingerprint of an object's company associations, kept in the stream's state, so an incremental
 * read can tell whose associations changed although HubSpot did not move anyone's modification time.
 *
 * Record ids are cut into ranges of a fixed width (`floor(id / width)`). Each range keeps how many
 * (record id, company id) pairs it holds and the sum, modulo 2^48, of a hash of each pair. A sum does not
 * depend on the order pairs arrive in, so pairs are added while paging companies, with memory per range,
 * not per record. Two reads whose digests of a range differ had different pairs in it; the same digest
 * over different pairs needs a 48-bit hash collision.
 */
import { ProviderResponseError } from "../../core/index.ts";

export interface AssociationFingerprint {
  /** Ids per range; fixed between full refreshes, so fingerprints of two reads compare range by range. */
  width: number;
  /** Range index → `count.sum` (base 36); ranges without pairs are left out. */
  digests: Record<string, string>;
}

/** Inclusive spans of range indexes, `[first, last]`, ascending and not touching each other. */
export type RangeSpan = [number, number];

/**
 * Records per range aimed for. A changed range is re-read whole: about this many records, 3 search pages
 * of 200 when ids are dense. A state holds one short digest per range: ~20 bytes per 500 records.
 */
export const RECORDS_PER_RANGE = 500;

const MODULUS = 2 ** 48;

/** Adds pairs range by range; `build()` gives the fingerprint. */
export class FingerprintBuilder {
  private readonly ranges = new Map<number, { count: number; sum: number }>();
  /** Digests as of the last build; only ranges touched since are recomputed (a list page touches one or two). */
  private readonly digests: Record<string, string> = {};
  private readonly touched = new Set<number>();

  constructor(readonly width: number) {}

  /** Continues a fingerprint a checkpoint holds (sums are additive), e.g. a full refresh's partial baseline. */
  static resume(fingerprint: AssociationFingerprint): FingerprintBuilder {
    const builder = new FingerprintBuilder(fingerprint.width);
    for (const [index, digest] of Object.entries(fingerprint.digests)) {
      const [count = "0", sum = "0"] = digest.split(".");
      builder.ranges.set(Number(index), { count: Number.parseInt(count, 36), sum: Number.parseInt(sum, 36) });
      builder.digests[index] = digest;
    }
    return builder;
  }

  /** Adds one association; the same pair must be added once (callers de-duplicate per record). */
  add(recordId: string, companyId: string): void {
    const index = rangeOf(recordId, this.width);
    const range = this.ranges.get(index) ?? { count: 0, sum: 0 };
    range.count += 1;
    range.sum = (range.sum + pairHash(recordId, companyId)) % MODULUS;
    this.ranges.set(index, range);
    this.touched.add(index);
  }

  /** The fingerprint so far, as a new object (a checkpoint keeps it while later pairs are added). */
  build(): AssociationFingerprint {
    for (const index of this.touched) {
      const { count, sum } = this.ranges.get(index)!;
      this.digests[String(index)] = `${count.toString(36)}.${sum.toString(36)}`;
    }
    this.touched.clear();
    // Integer-like keys iterate in ascending order in JavaScript: the copy is ordered by range.
    return { width: this.width, digests: { ...this.digests } };
  }
}

/**
 * A 48-bit hash of one (record id, company id) pair: two 32-bit multiplicative hashes over the text
 * (the cyrb53 construction), for change detection only. Far cheaper than a cryptographic digest, which
 * a full refresh would otherwise compute once per association.
 */
function pairHash(recordId: string, companyId: string): number {
  const text = `${recordId}>${companyId}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return ((h2 >>> 0) % 65536) * 2 ** 32 + (h1 >>> 0);
}

/** The range of a record id; HubSpot ids are whole numbers sent as strings. */
export function rangeOf(recordId: string, width: number): number {
  const id = Number(recordId);
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new ProviderResponseError(
      "hubspot",
      `An association named record id "${recordId}", which is not a whole number. HubSpot record ids are; check the base URL points at HubSpot.`,
    );
  }
  return Math.floor(id / width);
}

/** The width that gives about RECORDS_PER_RANGE records per range, for `total` records with ids in [min, max]. */
export function chooseWidth(minId: number, maxId: number, total: number): number {
  if (total <= 0 || maxId < minId) return RECORDS_PER_RANGE;
  const ranges = Math.ceil(total / RECORDS_PER_RANGE);
  return Math.max(1, Math.ceil((maxId - minId + 1) / ranges));
}

/** Ranges whose digests differ between two fingerprints of one width, merged into spans. */
export function changedSpans(before: AssociationFingerprint, after: AssociationFingerprint): RangeSpan[] {
  const keys = new Set([...Object.keys(before.digests), ...Object.keys(after.digests)]);
  const changed = [...keys]
    .filter((key) => before.digests[key] !== after.digests[key])
    .map(Number)
    .sort((a, b) => a - b);
  const spans: RangeSpan[] = [];
  for (const index of changed) {
    const last = spans[spans.length - 1];
    if (last && last[1] + 1 === index) last[1] = index;
    else spans.push([index, index]);
  }
  return spans;
}
