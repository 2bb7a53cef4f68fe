/**
 * How this deployment reaches each provider: its OAuth app (client id and secret, endpoint overrides for
 * emulators and sandboxes) and a base URL override. Comes from the process's configuration, never the API.
 */
import type { ProviderDefinition } from "../core/index.ts";
import type { OAuth2ClientConfig } from "../http/index.ts";

export interface OAuthAppSettings {
  clientId: string;
  /** Secret: never logged, never stored in the database. */
  clientSecret: string;
  /** Override the provider's authorization and token URLs (emulators, sandboxes). */
  authorizationUrl?: string;
  tokenUrl?: string;
}

export interface ProviderSettings {
  /** Base URL of the provider's API for connections made through Connect (e.g. an emulator). */
  baseUrl?: string;
  oauth2?: OAuthAppSettings;
}

/** The OAuth2 client for a provider, or undefined when it has no OAuth2 or this deployment no OAuth app. */
export function oauthClientFor(
  provider: ProviderDefinition,
  settings: ProviderSettings | undefined,
): OAuth2ClientConfig | undefined {
  const definition = provider.oauth2;
  const app = settings?.oauth2;
  if (!definition || !app) return undefined;
  return {
    // Messages name the provider as people know it ("HubSpot").
    provider: provider.displayName,
    authorizationUrl: app.authorizationUrl ?? definition.authorizationUrl,
    tokenUrl: app.tokenUrl ?? definition.tokenUrl,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    clientAuth: definition.clientAuth,
    scopes: definition.scopes,
    pkce: definition.pkce,
  };
}

/**
 * OAuth apps from the environment: `SWITCHYARD_<PROVIDER>_CLIENT_ID` and `SWITCHYARD_<PROVIDER>_CLIENT_SECRET`
 * for every provider with OAuth2 (e.g. `SWITCHYARD_HUBSPOT_CLIENT_ID`).
 */
export function providerSettingsFromEnv(
  providers: Readonly<Record<string, ProviderDefinition>>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, ProviderSettings> {
  const settings: Record<string, ProviderSettings> = {};
  for (const provider of Object.values(providers)) {
    const prefix = `SWITCHYARD_${provider.name.toUpperCase().replaceAll(/[^A-Z0-9]/g, "_")}_`;
    const clientId = env[`${prefix}CLIENT_ID`];
    const clientSecret = env[`${prefix}CLIENT_SECRET`];
    if (provider.oauth2 && clientId && clientSecret)
      settings[provider.name] = { oauth2: { clientId, clientSecret } };
  }
  return settings;
}
