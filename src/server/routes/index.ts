/**
 * Every contract route of the API. To add a resource: write `routes/<resource>.ts` exporting its routes as
 * `export const <resource>Routes = [...] as const`, and spread it here. The server, the OpenAPI document,
 * the typed client and the cross-environment test all pick it up from this list.
 */
import { actionRoutes } from "./actions.ts";
import { apiKeyRoutes } from "./api-keys.ts";
import { connectSessionRoutes } from "./connect-sessions.ts";
import { connectionUnifiedRoutes } from "./connection-unified.ts";
import { connectionRoutes } from "./connections.ts";
import { environmentRoutes } from "./environments.ts";
import { eventRoutes } from "./events.ts";
import { fieldMappingRoutes } from "./field-mappings.ts";
import { flowRoutes } from "./flows.ts";
import { healthRoutes } from "./health.ts";
import { issueRoutes } from "./issues.ts";
import { overviewRoutes } from "./overview.ts";
import { providerRoutes } from "./providers.ts";
import { readyRoutes } from "./ready.ts";
import { recordCountRoutes } from "./record-counts.ts";
import { recordRoutes } from "./records.ts";
import { reverseEtlRoutes } from "./reverse-etl.ts";
import { runTimelineRoutes } from "./run-timeline.ts";
import { runRoutes } from "./runs.ts";
import { sourceRoutes } from "./sources.ts";
import { embeddedSyncRoutes } from "./sources-embedded-syncs.ts";
import { sqlRoutes } from "./sql.ts";
import { syncRoutes } from "./syncs.ts";
import { webhookDeliveryRoutes } from "./webhook-deliveries.ts";
import { webhookEndpointRoutes } from "./webhook-endpoints.ts";
import { inboundWebhookRoutes } from "./webhooks-inbound.ts";

export const apiRoutes = [
  ...healthRoutes,
  ...readyRoutes,
  ...environmentRoutes,
  ...apiKeyRoutes,
  ...providerRoutes,
  ...actionRoutes,
  ...connectionRoutes,
  ...connectionUnifiedRoutes,
  ...connectSessionRoutes,
  ...syncRoutes,
  ...runRoutes,
  ...runTimelineRoutes,
  ...overviewRoutes,
  ...issueRoutes,
  ...recordRoutes,
  ...recordCountRoutes,
  ...eventRoutes,
  ...sqlRoutes,
  ...fieldMappingRoutes,
  ...webhookEndpointRoutes,
  ...webhookDeliveryRoutes,
  ...inboundWebhookRoutes,
  ...reverseEtlRoutes,
  ...flowRoutes,
  ...sourceRoutes,
  ...embeddedSyncRoutes,
] as const;

export type ApiRoutes = typeof apiRoutes;
