/** Idempotency keys on SQLite and Postgres: claim once, replay, refuse another request, expire, release. */
import { describe, expect } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import type { Store } from "../index.ts";
import { ensureEnvironment } from "./environments.ts";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  releaseIdempotencyKey,
} from "./idempotency-keys.ts";

const T0 = new Date("2026-03-01T12:00:00.000Z");
const HOUR = 3_600_000;

describe("idempotency keys", () => {
  itOnSqliteAndPostgres(async (store: Store) => {
    const { db } = store;
    const dev = (await ensureEnvironment(db, "dev")).id;
    const prod = (await ensureEnvironment(db, "prod")).id;
    const claim = (environmentId: string, requestHash: string, now = T0) =>
      claimIdempotencyKey(db, {
        environmentId,
        key: "k-1",
        requestHash,
        now,
        ttlMs: HOUR,
        abandonedAfterMs: 60_000,
      });

    expect(await claim(dev, "a")).toEqual({ kind: "claimed" });
    // Still running: no answer yet.
    expect(await claim(dev, "a")).toEqual({ kind: "in_progress" });
    // Unanswered for longer than a write takes: its process died; one retry takes it over.
    const later = new Date(T0.getTime() + 120_000);
    expect(await claim(dev, "a", later)).toEqual({ kind: "claimed" });
    expect(await claim(dev, "a", later)).toEqual({ kind: "in_progress" });
    expect(await claim(dev, "b")).toEqual({ kind: "mismatch" });
    await completeIdempotencyKey(db, dev, "k-1", { status: 201, body: { model: { id: "x" } } });
    expect(await claim(dev, "a")).toEqual({ kind: "replay", status: 201, body: { model: { id: "x" } } });
    // Keys are per environment.
    expect(await claim(prod, "b")).toEqual({ kind: "claimed" });
    // A completed key is not released; an unanswered one is.
    await releaseIdempotencyKey(db, dev, "k-1");
    expect((await claim(dev, "a")).kind).toBe("replay");
    await releaseIdempotencyKey(db, prod, "k-1");
    expect(await claim(prod, "c")).toEqual({ kind: "claimed" });
    // Once expired, the key is free for any request.
    expect(await claim(dev, "b", new Date(T0.getTime() + 2 * HOUR))).toEqual({ kind: "claimed" });
    expect(await deleteExpiredIdempotencyKeys(db, new Date(T0.getTime() + 10 * HOUR))).toBe(2);
  });
});
