/**
 * Test helper (not shipped behaviour): reads declared streams against a loopback server through the real
 * HTTP client, collecting pages and their states.
 */
import type { StreamDefinition, StreamPage, StreamState, SyncRecord } from "../../core/index.ts";
import { type ClosableHttpClient, createHttpClient } from "../../http/index.ts";
import { startTestServer, type TestHandler, type TestServer } from "../../http/test-server.ts";

export interface LoopbackApi {
  server: TestServer;
  http: ClosableHttpClient;
  close(): Promise<void>;
}

/** A loopback server and a bearer-token client pointed at it, with fast retries. */
export async function startApi(handler: TestHandler, token = "good-token"): Promise<LoopbackApi> {
  const server = await startTestServer(handler);
  const http = createHttpClient({
    provider: "acme",
    baseUrl: server.url,
    allowPrivateAddresses: true,
    auth: { type: "bearer" },
    credentials: { type: "bearer", token },
    maxAttempts: 2,
    retryDelay: { baseMs: 1, maxMs: 5 },
  });
  return {
    server,
    http,
    close: async () => {
      await http.close();
      await server.close();
    },
  };
}

/** Reads a stream to the end (or `maxPages` pages), returning every page. */
export async function readPages(
  stream: StreamDefinition,
  http: ClosableHttpClient,
  options: { state?: StreamState; fullRefresh?: boolean; maxPages?: number } = {},
): Promise<StreamPage[]> {
  const pages: StreamPage[] = [];
  const ctx = {
    http,
    state: options.state,
    fullRefresh: options.fullRefresh ?? false,
    signal: new AbortController().signal,
    log: { log: () => {} },
  };
  for await (const page of stream.read(ctx)) {
    pages.push(page);
    if (options.maxPages !== undefined && pages.length >= options.maxPages) break;
  }
  return pages;
}

export const recordsOf = (pages: readonly StreamPage[]): SyncRecord[] =>
  pages.flatMap((page) => page.records);

/** The query of the n-th request the server received. */
export function queryOf(server: TestServer, n: number): URLSearchParams {
  const request = server.requests[n];
  if (!request) throw new Error(`no request #${n}`);
  return new URL(request.url, "http://x").searchParams;
}
