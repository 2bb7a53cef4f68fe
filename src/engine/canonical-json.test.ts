import { stringify } from "safe-stable-stringify";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";

/** A small deterministic generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  "id",
  "b",
  "a",
  "Z",
  "é",
  "10",
  "2",
  "4294967295",
  "01",
  "__proto__x",
  "",
  "k\u0000",
  "emoji😀",
  "zz",
];
const STRINGS = [
  "",
  "plain",
  'quote " and \\ back',
  "line\nbreak\ttab",
  "\u0001ctrl",
  "lone \ud800 surrogate",
  "é😀",
];

function primitive(next: () => number): unknown {
  const choices: (() => unknown)[] = [
    () => STRINGS[Math.floor(next() * STRINGS.length)],
    () => Math.round(next() * 1e6) / 100,
    () => -0,
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => next() > 0.5,
    () => null,
    () => undefined,
    () => new Date(Math.round(next() * 2e12)),
    () => new Date(Number.NaN),
  ];
  return choices[Math.floor(next() * choices.length)]!();
}

function flatRecord(next: () => number): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const key of KEYS) {
    if (next() < 0.3) continue;
    record[key] =
      next() < 0.2 ? Array.from({ length: Math.floor(next() * 4) }, () => primitive(next)) : primitive(next);
  }
  return record;
}

describe("canonicalJson", () => {
  it("writes exactly what safe-stable-stringify writes for flat records", () => {
    const next = random(7);
    for (let i = 0; i < 2_000; i++) {
      const record = flatRecord(next);
      expect(canonicalJson(record)).toBe(stringify(record));
    }
  });

  it("writes exactly what safe-stable-stringify writes for flat records without integer-like keys", () => {
    const next = random(11);
    for (let i = 0; i < 2_000; i++) {
      const record = flatRecord(next);
      for (const key of Object.keys(record)) if (/^\d/.test(key)) delete record[key];
      expect(canonicalJson(record)).toBe(stringify(record));
    }
  });

  it("writes exactly what safe-stable-stringify writes for wide records (V8 dictionary mode), whatever the key order", () => {
    const next = random(13);
    const names = Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? String(i) : `field_${(i * 17) % 40}`));
    for (let i = 0; i < 500; i++) {
      const record: Record<string, unknown> = {};
      const order = next() < 0.5 ? names : [...names].reverse();
      for (const name of order) if (next() < 0.9) record[name] = primitive(next);
      expect(canonicalJson(record)).toBe(stringify(record));
    }
  });

  it("leaves out what JSON leaves out (undefined, functions, symbols) and falls back for nested values", () => {
    const record = {
      c: undefined,
      b: () => 1,
      a: Symbol("s"),
      d: 1,
      e: [1, { z: 1, y: 2 }],
      f: { toJSON: () => "x" },
    };
    expect(canonicalJson(record)).toBe(stringify(record));
    expect(canonicalJson({ a: undefined })).toBe("{}");
    expect(canonicalJson({})).toBe("{}");
  });

  it("sorts keys at every level for nested records, and writes bigints as numbers", () => {
    const record = { b: { y: 1, x: [{ d: 1, c: 2 }] }, a: 10n, c: [1, { f: 2, e: 1 }] };
    expect(canonicalJson(record)).toBe('{"a":10,"b":{"x":[{"c":2,"d":1}],"y":1},"c":[1,{"e":1,"f":2}]}');
  });

  it("gives the same text whatever the key order", () => {
    expect(canonicalJson({ b: 1, a: "x", c: [3, 1] })).toBe(canonicalJson({ c: [3, 1], a: "x", b: 1 }));
  });
});
