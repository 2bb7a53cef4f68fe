/**
 * Test helper: reads a HubSpot stream against an emulator through the real HTTP client, collecting pages.
 */
import type { HttpEvent, ReadContext, StreamPage, StreamState, SyncRecord } from "../../core/index.ts";
import { type ClosableHttpClient, createHttpClient } from "../../http/index.ts";
import type { HubSpotEmulator } from "./emulator/index.ts";
import { hubspot } from "./index.ts";

/** A client like production's, pointed at the emulator, with fast retries for fault tests. */
export function emulatorClient(
  emulator: HubSpotEmulator,
  onEvent?: (event: HttpEvent) => void,
): ClosableHttpClient {
  return createHttpClient({
    provider: hubspot.name,
    baseUrl: emulator.url,
    // The emulator listens on loopback.
    allowPrivateAddresses: true,
    auth: hubspot.auth,
    credentials: { type: "bearer", token: emulator.tokens[0]! },
    ...(hubspot.rateLimit ? { rateLimit: hubspot.rateLimit } : {}),
    maxAttempts: 8,
    retryDelay: { baseMs: 1, maxMs: 20 },
    timeoutMs: 10_000,
    ...(onEvent ? { onEvent } : {}),
  });
}

export function streamNamed(name: string) {
  const stream = hubspot.streams.find((candidate) => candidate.name === name);
  if (!stream) throw new Error(`no stream ${name}`);
  return stream;
}

/** Reads a stream to the end (or `maxPages`), returning every page. */
export async function readPages(
  http: ClosableHttpClient,
  streamName: string,
  options: { state?: StreamState; fullRefresh: boolean; maxPages?: number },
): Promise<StreamPage[]> {
  const ctx: ReadContext = {
    http,
    state: options.state,
    fullRefresh: options.fullRefresh,
    signal: new AbortController().signal,
    log: { log: () => {} },
  };
  const pages: StreamPage[] = [];
  for await (const page of streamNamed(streamName).read(ctx)) {
    pages.push(page);
    if (options.maxPages !== undefined && pages.length >= options.maxPages) break;
  }
  return pages;
}

export const recordsOf = (pages: readonly StreamPage[]): SyncRecord[] =>
  pages.flatMap((page) => page.records);
export const lastState = (pages: readonly StreamPage[]): StreamState => pages[pages.length - 1]!.state;
