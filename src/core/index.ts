export * from "./created-records.ts";
export * from "./errors.ts";
export * from "./issues.ts";
export * from "./providers.ts";
export * from "./record-fields.ts";
export * from "./run.ts";
export * from "./types.ts";
export * from "./webhooks.ts";
