/** The Salesforce emulator: start it, point a client at `url` as the instance URL, steer it through its controls. */
export {
  CATALOG,
  type FieldSpec,
  type FieldType,
  findObject,
  OBJECT_NAMES,
  type ObjectName,
} from "./catalog.ts";
export { CLOCK_START, DEFAULT_ORG_SIZE, formatDateTime, type RenderedRecord } from "./dataset.ts";
export type { OrgSize } from "./generate.ts";
export { fromSalesforceId, toSalesforceId } from "./ids.ts";
export { DEFAULT_OAUTH_SCOPES, OAUTH_AUTHORIZE_PATH, OAUTH_TOKEN_PATH } from "./oauth.ts";
export { DEFAULT_RATE_LIMIT, type RateLimitConfig } from "./rate-limit.ts";
export { LATEST_VERSION } from "./routes.ts";
export {
  type ChangeInput,
  DEFAULT_SEED,
  DEFAULT_TOKEN,
  type GroundTruth,
  ORG_ID,
  type SalesforceEmulator,
  type SalesforceEmulatorOptions,
  startSalesforceEmulator,
} from "./server.ts";
