/** Public surface of the outbound HTTP client room. */
export { type AddressPolicy, AddressRefusedError, assertBaseUrlAllowed } from "./address-guard.ts";
export {
  type BudgetStore,
  budgetStoreFor,
  closeSharedState,
  MemoryBudgetStore,
  openRedisBudgetStore,
  PostgresBudgetStore,
  providerAccountKey,
  useBudgetStore,
} from "./budget-store/index.ts";
export {
  type ClosableHttpClient,
  createHttpClient,
  createRelayingHttpClient,
  type HttpClientOptions,
  type RelayedResponse,
  type RelayingHttpClient,
  type RelayRequest,
} from "./client.ts";
export {
  type AccessTokenSource,
  type AuthorizationStart,
  assertEndpointUrl,
  exchangeCode,
  type OAuth2ClientConfig,
  OAuth2TokenManager,
  type OAuth2TokenManagerOptions,
  readAuthorizationResponse,
  refreshAccessToken,
  type SharedRefresh,
  startAuthorization,
} from "./oauth2/index.ts";
export {
  type CursorPaginatorOptions,
  createPaginator,
  cursorPaginator,
  linkHeaderPaginator,
  type NextUrlPaginatorOptions,
  nextUrlPaginator,
  type OffsetPaginatorOptions,
  offsetPaginator,
  type Page,
  type PageNumberPaginatorOptions,
  type PageToken,
  type PaginateOptions,
  type PaginationSpec,
  type Paginator,
  type ParamLocation,
  pageNumberPaginator,
  paginate,
  parseLinkHeader,
} from "./pagination.ts";
export {
  getSharedBudget,
  type InMemoryBudgetOptions,
  InMemoryRateLimitBudget,
  type RateLimitBudget,
  StoredRateLimitBudget,
} from "./rate-limit-budget.ts";
export { type RateLimitReading, readRateLimit } from "./rate-limit-headers.ts";
export { createRedactor, REDACTED, type Redactor, redact, redactQueryParams } from "./redact.ts";
export type { RetryDelayOptions } from "./retry.ts";
