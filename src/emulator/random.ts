/**
 * Stateless, seeded randomness: every value is a pure function of (seed, keys), so a record can be
 * generated on demand from its index without storing it, and the same seed always yields the same data.
 * Fixed arity (up to five keys, missing ones are 0) keeps the hot path free of allocations.
 */

function step(h: number, key: number): number {
  let x = Math.imul(h ^ (key >>> 0), 0x85ebca6b);
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35);
  x = (x ^ (x >>> 16)) >>> 0;
  // Fold in the bits of keys beyond 32 bits (timestamps, large ids).
  const high = key > 0xffffffff ? Math.floor(key / 0x1_0000_0000) : 0;
  return high === 0 ? x : Math.imul(x ^ high, 0x27d4eb2d) >>> 0;
}

/** Mixes the seed and up to five integer keys into one well-distributed unsigned 32-bit value. */
export function hash32(seed: number, a = 0, b = 0, c = 0, d = 0, e = 0): number {
  return step(step(step(step(step((seed ^ 0x9e3779b9) >>> 0, a), b), c), d), e);
}

/** A deterministic number in [0, 1) for (seed, keys). */
export function unit(seed: number, a = 0, b = 0, c = 0, d = 0, e = 0): number {
  return hash32(seed, a, b, c, d, e) / 0x1_0000_0000;
}

/** A deterministic integer in [min, max] for (seed, keys). */
export function intBetween(
  min: number,
  max: number,
  seed: number,
  a = 0,
  b = 0,
  c = 0,
  d = 0,
  e = 0,
): number {
  return min + Math.floor(unit(seed, a, b, c, d, e) * (max - min + 1));
}

/** A deterministic element of a non-empty list for (seed, keys). */
export function pick<T>(list: readonly T[], seed: number, a = 0, b = 0, c = 0, d = 0, e = 0): T {
  return list[hash32(seed, a, b, c, d, e) % list.length]!;
}

/** Turns a text label into a stable numeric key, so names can take part in hash keys. */
export function keyOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
