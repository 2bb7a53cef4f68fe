export * from "./ids.ts";
export * from "./open-store.ts";
export * from "./repositories/connections.ts";
export * from "./repositories/environments.ts";
export * from "./repositories/records.ts";
export * from "./repositories/run-logs.ts";
export * from "./repositories/runs.ts";
export * from "./repositories/stream-states.ts";
export type { Database } from "./schema.ts";
