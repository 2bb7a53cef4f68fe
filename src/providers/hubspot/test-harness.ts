/**
 * Test helper: reads a HubSpot stream against an emulator through the real HTTP client, collecting pages.
 */
import type { HttpEvent, StreamPage, StreamState } from "../../core/index.ts";
import { type ClosableHttpClient, createHttpClient } from "../../http/index.ts";
import { readPages as readStreamPages, recordsOf } from "../kit/test-helpers.ts";
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

/** Reads a stream to the end (or `maxPages`), returning every page (the kit's reader of any stream). */
export const readPages = (
  http: ClosableHttpClient,
  streamName: string,
  options: { state?: StreamState; fullRefresh: boolean; maxPages?: number },
): Promise<StreamPage[]> => readStreamPages(streamNamed(streamName), http, options);

export { recordsOf };
export const lastState = (pages: readonly StreamPage[]): StreamState => pages[pages.length - 1]!.state;
