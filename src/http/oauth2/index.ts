/** OAuth2 for provider connections: authorization (state + PKCE), code exchange, single-flight refresh. */
export { type AuthorizationStart, readAuthorizationResponse, startAuthorization } from "./authorize.ts";
export { assertEndpointUrl, type OAuth2ClientConfig } from "./config.ts";
export { exchangeCode, refreshAccessToken } from "./token-endpoint.ts";
export {
  type AccessTokenSource,
  OAuth2TokenManager,
  type OAuth2TokenManagerOptions,
  type SharedRefresh,
} from "./token-manager.ts";
