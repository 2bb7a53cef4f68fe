/**
 * The emulator kit: what every provider's emulator is built from. See docs/emulator-kit.md.
 */

export { parseBody } from "./body.ts";
export {
  applyChanges,
  type ChangeContext,
  type ChangeCounts,
  ChangePicker,
  type ChangeResult,
  LogicalClock,
} from "./changes.ts";
export { type CliArgs, defined, type EmulatorCliSpec, oneOf, runEmulatorCli } from "./cli.ts";
export { CONTROL_PREFIX, type ControlSurface, controlRoutes, groundTruthRoute } from "./control-routes.ts";
export {
  type CoreControls,
  type CoreState,
  coreControls,
  coreState,
  createEmulatorCore,
  type EmulatorCore,
  type EmulatorCoreOptions,
  emulatorControls,
  type RateLimitSpec,
  resetCore,
} from "./core.ts";
export { DEFAULT_ERROR_STYLE, defineErrorStyle, EmulatorError, type ErrorStyle } from "./errors.ts";
export {
  type FaultConfig,
  FaultPlan,
  type FaultSettings,
  faultConfigSchema,
  htmlErrorPage,
} from "./faults.ts";
export {
  type ClientAuthMethod,
  DEFAULT_OAUTH_SERVER,
  defineOAuthServer,
  type OAuthServerConfig,
  type TokenRefusal,
} from "./oauth/config.ts";
export { createOAuthControls, type OAuthAppSpec, type OAuthControls, OAuthState } from "./oauth/state.ts";
export {
  decodeCursor,
  encodeCursor,
  limitParam,
  linkHeader,
  type NumberedPage,
  numberedPage,
  type OffsetPage,
  offsetPage,
  offsetParam,
  pageLink,
  takePage,
} from "./paging.ts";
export { booleanParam, listParam, ParamError, singleParam } from "./params.ts";
export { hash32, intBetween, keyOf, pick, unit } from "./random.ts";
export {
  type LimitWindow,
  limitRemainingResetHeaders,
  type RateLimitDecision,
  RateLimiter,
  type RateLimitPolicy,
  type WindowUsage,
} from "./rate-limit.ts";
export { buildEmulatorApp, type EmulatorAppOptions, listen } from "./server.ts";
export {
  type RecordTimes,
  SeededTable,
  type SeededTableOptions,
  type TableChange,
  type TableRecord,
} from "./table.ts";
export {
  anyCredential,
  bearerToken,
  type CredentialSource,
  headerCredential,
  queryCredential,
  TokenRegistry,
} from "./tokens.ts";
export {
  basicAuthHeaders,
  type SubscriptionApi,
  subscriptionRoutes,
  type WebhookDelivery,
  WebhookDispatcher,
  type WebhookDispatcherOptions,
  type WebhookTarget,
  watchTables,
} from "./webhooks.ts";
