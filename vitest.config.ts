import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep worker count low so integration tests with child processes don't starve each other.
    maxWorkers: 2,
    pool: "forks",
  },
});
