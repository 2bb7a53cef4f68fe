/**
 * The dashboard's only way to the server: the typed client of src/client (the public REST API), signed in with
 * an environment API key kept in sessionStorage for the tab's life (never logged, never in a URL).
 */
import {
  ApiError,
  createClient,
  type ResponseBody,
  type RouteAt,
  type SwitchyardClient,
} from "../../../src/client/index.ts";

export { ApiError };
export type Client = SwitchyardClient;

type Get<U extends string> = ResponseBody<RouteAt<"GET", U>>;
type Item<U extends string> = Get<U> extends { data: (infer T)[] } ? T : never;

export type Connection = Get<"/v1/connections/:id">;
export type Provider = Item<"/v1/providers">;
export type Sync = Get<"/v1/syncs/:id">;
export type StreamStatus = Item<"/v1/syncs/:id/status">;
export type Run = Get<"/v1/runs/:id">;
export type LogLine = Item<"/v1/runs/:id/logs">;
export type StreamRecord = Item<"/v1/records">;
export type ApiKey = Item<"/v1/api-keys">;
export type FieldMapping = Item<"/v1/field-mappings">;
export type WebhookEndpoint = Item<"/v1/webhook-endpoints">;
export type WebhookDelivery = Item<"/v1/webhook-endpoints/:id/deliveries">;
export type InboundEvent = Item<"/v1/webhook-events">;
export type RetlModel = Item<"/v1/reverse-etl/models">;
export type RetlSync = Item<"/v1/reverse-etl/syncs">;
export type RetlRun = Item<"/v1/reverse-etl/syncs/:id/runs">;
export type RetlRow = Item<"/v1/reverse-etl/syncs/:id/runs/:run_id/rows">;
export type RunTimeline = Get<"/v1/runs/:id/timeline">;
export type Overview = Get<"/v1/overview">;
export type Issue = Item<"/v1/issues">;
export type Flow = Item<"/v1/flows">;
export type ErrorSummary = NonNullable<Run["error"]>;

const KEY_ITEM = "switchyard.dashboard.apiKey";

export function storedApiKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeApiKey(apiKey: string | null): void {
  if (apiKey === null) sessionStorage.removeItem(KEY_ITEM);
  else sessionStorage.setItem(KEY_ITEM, apiKey);
}

export function clientFor(apiKey: string): Client {
  return createClient({ baseUrl: window.location.origin, apiKey });
}

/** What to show for any failure: the problem's title, detail and hint when the API sent one. */
export function describeFailure(error: unknown): { title: string; detail: string; hint?: string } {
  if (error instanceof ApiError) {
    const problem = error.problem as { title?: string; detail: string; hint?: string };
    return {
      title: problem.title ?? `Request failed (HTTP ${error.status})`,
      detail: problem.detail,
      ...(problem.hint ? { hint: problem.hint } : {}),
    };
  }
  if (error instanceof TypeError) {
    return {
      title: "Switchyard is unreachable",
      detail: error.message,
      hint: "Check that the server is running, then retry.",
    };
  }
  return { title: "Something went wrong", detail: error instanceof Error ? error.message : String(error) };
}
