/**
 * The provider kit: the declarative pieces a provider is made of (requester, paginator, record selector,
 * incremental cursor, delete rule, schema discovery, check call) and the one reader that runs them.
 * Reference: docs/provider-kit.md.
 */
export { type BatchActionSpec, defineBatchAction } from "./batch-action.ts";
export { type CreateKey, checkCreatesByKey, keyText } from "./created-lookup.ts";
export type { CursorFormat } from "./cursor-format.ts";
export { defineProvider, type ProviderSpec } from "./define-provider.ts";
export { type DefineStreamOptions, defineStream } from "./define-stream.ts";
export { DELETED_FLAG, type DeleteRule } from "./delete-rule.ts";
export {
  type DeletedListPosition,
  type DeletedListSpec,
  deletedListPositionSchema,
  readDeletedList,
} from "./deleted-list.ts";
export { discoverFields, type FieldCatalog } from "./field-catalog.ts";
export type { IncrementalSpec } from "./incremental.ts";
export { type Phase, type PhasePage, type PhaseSequence, runPhases } from "./phases.ts";
export { defineDiscovery, defineEndpoint, type Endpoint, type EndpointSpec } from "./pieces.ts";
export type { Clock } from "./reader.ts";
export { buildRequest, type RequestSpec } from "./request.ts";
export { parseRecord, parseResponse } from "./response.ts";
export type { ParsedDiscoverySpec, SchemaSpec } from "./schema-spec.ts";
export {
  latestSearchCursor,
  readSearchCursor,
  type SearchCursorSpec,
  type SearchCursorState,
  type SearchQuery,
  searchCursorStateSchema,
} from "./search-cursor.ts";
export { type KitState, kitStateSchema, parseKitState, parseSavedState } from "./state.ts";
export type { StreamSpec } from "./stream-spec.ts";
export { type Converted, convertValue } from "./value-types.ts";
