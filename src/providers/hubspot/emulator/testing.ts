/** Helpers for tests that drive the HubSpot emulator through the official client (not shipped behaviour). */
import { Client } from "@hubspot/api-client";
import { expect } from "vitest";
import type { HubSpotEmulator } from "./index.ts";

/** The official client pointed at the emulator, with its first token. */
export function officialClient(emulator: HubSpotEmulator): Client {
  return new Client({ accessToken: emulator.tokens[0]!, basePath: emulator.url });
}

/** The rejection a call ends with (the test fails if it succeeds). */
export async function failureOf(
  call: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown> }> {
  const outcome = await call.then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  expect(outcome.failed, "the call should have failed").toBe(true);
  return (outcome as { error: { code: number; body: Record<string, unknown> } }).error;
}
