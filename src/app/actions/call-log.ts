/**
 * The provider calls an action makes, as Merge's `is_debug_mode` reports them in a write's `logs`: method, URL
 * (as the HTTP client reports it, secrets redacted; no headers or bodies) and status. The connection's client
 * is wrapped, so what an action does is observed without the action knowing.
 */
import { randomUUID } from "node:crypto";
import { type HttpClient, type HttpRequest, ProviderRequestError } from "../../core/index.ts";

/** One provider call, in Merge's `DebugModeLog` shape. */
export interface ProviderCallLog {
  log_id: string;
  /** Where the dashboard shows the connection the call was made for. */
  dashboard_view: string;
  log_summary: { url: string; method: string; status_code: number };
}

/**
 * `http`, with every request the provider answered appended to `logs` (a refusal too), with the URL the client
 * reports (redacted).
 */
export function loggingHttp(http: HttpClient, connectionId: string, logs: ProviderCallLog[]): HttpClient {
  const entry = (method: string, url: string, status: number): ProviderCallLog => ({
    log_id: randomUUID(),
    dashboard_view: `/connections/${connectionId}`,
    log_summary: { url, method, status_code: status },
  });
  return {
    async request<T>(request: HttpRequest, options?: { signal?: AbortSignal }) {
      const method = request.method ?? "GET";
      try {
        const response = await http.request<T>(request, options);
        logs.push(entry(method, response.url, response.status));
        return response;
      } catch (error) {
        // The provider's refusal carries the call's (redacted) URL and status.
        if (error instanceof ProviderRequestError) {
          const { url, status } = (error.details ?? {}) as { url?: unknown; status?: unknown };
          if (typeof url === "string" && typeof status === "number") logs.push(entry(method, url, status));
        }
        throw error;
      }
    },
  };
}
