/**
 * Test helper: something a test file needs set up and torn down around its tests (a store, a server, a
 * temp file), registered as vitest hooks. The returned function gives the value of the moment, and throws
 * a clear error where there is none (outside the tests, or after teardown).
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

type Hook = (fn: () => Promise<void>) => void;

function managed<T>(
  hooks: { setUp: Hook; tearDown: Hook },
  what: string,
  open: () => Promise<T>,
  close: (value: T) => Promise<void>,
): () => T {
  let current: { value: T } | undefined;
  hooks.setUp(async () => {
    current = { value: await open() };
  });
  hooks.tearDown(async () => {
    const opened = current;
    current = undefined;
    if (opened) await close(opened.value);
  });
  return () => {
    if (!current) throw new Error(`${what} exists only while the tests run`);
    return current.value;
  };
}

/** Opens a fresh value before each test and closes it after that test. */
export function freshForEachTest<T>(
  what: string,
  open: () => Promise<T>,
  close: (value: T) => Promise<void>,
): () => T {
  return managed({ setUp: beforeEach, tearDown: afterEach }, what, open, close);
}

/** Opens one value before the first test of the file (or describe block) and closes it after the last. */
export function sharedByAllTests<T>(
  what: string,
  open: () => Promise<T>,
  close: (value: T) => Promise<void>,
): () => T {
  return managed({ setUp: beforeAll, tearDown: afterAll }, what, open, close);
}
