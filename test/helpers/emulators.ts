/**
 * Test helper (not shipped behaviour): what the shared worlds need of any provider's emulator, through its
 * declaration (`ProviderDefinition.emulator`) and the emulator kit's control API, never its own module.
 */

import { findProvider } from "../../src/app/platform.ts";
import type { Credentials, EmulatorHandle, ProviderDefinition } from "../../src/core/index.ts";
import { CONTROL_PREFIX } from "../../src/emulator/control-routes.ts";
import { providers } from "../../src/providers/registry.ts";

/** A registered provider by name, refusing one that declares no emulator. */
export function providerWithEmulator(name: string): ProviderDefinition {
  const provider = findProvider(providers, name);
  if (!provider.emulator) throw new Error(`${provider.displayName} declares no emulator.`);
  return provider;
}

/** Every registered provider that declares an emulator, for tests parametrized over them. */
export function providersWithEmulators(): ProviderDefinition[] {
  return Object.values(providers).filter((provider) => provider.emulator !== undefined);
}

/** Starts the provider's emulator through its declaration. */
export function startEmulator(
  provider: ProviderDefinition,
  options: Parameters<NonNullable<ProviderDefinition["emulator"]>>[0] = {},
): Promise<EmulatorHandle> {
  if (!provider.emulator) throw new Error(`${provider.displayName} declares no emulator.`);
  return provider.emulator(options);
}

/** The one secret of token credentials, as a Connect form field or `switchyard sync --token` takes it. */
export function tokenOf(credentials: Credentials): string {
  switch (credentials.type) {
    case "bearer":
      return credentials.token;
    case "api_key":
      return credentials.key;
    default:
      throw new Error(`${credentials.type} credentials are not one token.`);
  }
}

/** The emulator kit's OAuth server controls (`/_emulator/oauth/*`), over HTTP, for any kit emulator. */
export function emulatorOAuth(emulatorUrl: string) {
  const base = `${emulatorUrl}${CONTROL_PREFIX}/oauth`;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, number>>;
  };
  return {
    /** Token-endpoint requests so far, by grant type. */
    async tokenRequests(): Promise<{ authorization_code: number; refresh_token: number }> {
      const response = await fetch(base);
      if (!response.ok) throw new Error(`${base}: HTTP ${response.status}`);
      return ((await response.json()) as { tokenRequests: never }).tokenRequests;
    },
    expireAccessTokens: (accessToken?: string) =>
      post("expire-access-tokens", accessToken === undefined ? {} : { accessToken }),
    revokeRefreshTokens: (refreshToken?: string) =>
      post("revoke-refresh-tokens", refreshToken === undefined ? {} : { refreshToken }),
  };
}

/** Every stream whose truth the emulator knows: those it can change, and its fixed ones. */
export function truthStreams(emulator: EmulatorHandle): string[] {
  return [...emulator.streams, ...(emulator.fixedStreams ?? [])];
}

/** How many live records the emulator holds, over all its streams (what a first full sync adds). */
export async function liveRecordCount(emulator: EmulatorHandle): Promise<number> {
  let count = 0;
  for (const stream of truthStreams(emulator)) count += (await emulator.truth(stream)).live.size;
  return count;
}
