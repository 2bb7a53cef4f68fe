import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/** The Redis the shared-state tests use; each run works under a key prefix of its own, deleted after. */
export const TEST_REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

export const REDIS_SKIP_MESSAGE =
  `Redis tests skipped: no server at ${TEST_REDIS_URL}. Start one (e.g. redis-server --daemonize yes) or set ` +
  "SWITCHYARD_TEST_REDIS_URL. On CI (CI=true) they never skip.";

/** Whether the test Redis answers; on CI a missing server is an error, not a skip. */
export async function redisAvailable(): Promise<boolean> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 10_000,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (error) {
    if (process.env.CI)
      throw new Error(`CI must run the Redis tests, but ${TEST_REDIS_URL} is unreachable: ${error}`);
    console.warn(REDIS_SKIP_MESSAGE);
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A key prefix for one test run, and a cleanup that deletes every key under it. */
export function redisTestPrefix(): { prefix: string; cleanup: () => Promise<void> } {
  const prefix = `switchyard-test-${randomBytes(6).toString("hex")}:`;
  return {
    prefix,
    cleanup: async () => {
      const redis = new Redis(TEST_REDIS_URL);
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== "0");
      } finally {
        redis.disconnect();
      }
    },
  };
}
