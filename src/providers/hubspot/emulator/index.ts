/** The HubSpot emulator: start it, point a client at `url`, and steer it through its controls. */

export { CONTROL_PREFIX } from "../../../emulator/control-routes.ts";
export type { FaultConfig, FaultSettings } from "../../../emulator/faults.ts";
export type { OAuthAppSpec, OAuthControls, TokenRequestCounts } from "../../../emulator/oauth/state.ts";
export type { ObjectTypeName, PropertyDefinition, PropertySpec, PropertyType } from "./catalog.ts";
export { OBJECT_SPECS, OBJECT_TYPES } from "./catalog.ts";
export type { EmulatorControls, EmulatorState, GroundTruth } from "./controls.ts";
export type { MutationRequest, MutationResult } from "./dataset.ts";
export { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, DEFAULT_OAUTH_SCOPES } from "./oauth.ts";
export { DEFAULT_OWNER_COUNT, type PublicOwner } from "./owners.ts";
export type { RateLimitConfig } from "./rate-limit.ts";
export { DEFAULT_RATE_LIMIT } from "./rate-limit.ts";
export type { ApiObject } from "./serialize.ts";
export {
  DEFAULT_SEED,
  DEFAULT_TOKEN,
  type HubSpotEmulator,
  type HubSpotEmulatorOptions,
  startHubSpotEmulator,
} from "./server.ts";
