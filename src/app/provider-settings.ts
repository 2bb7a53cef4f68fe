/**
 * How this deployment reaches each provider: its OAuth app (client id and secret, endpoint overrides for
 * emulators and sandboxes) and a base URL override. Comes from the process's configuration, never the API.
 */
import { ConfigError, type ProviderDefinition } from "../core/index.ts";
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
    ...(definition.instanceUrlField ? { instanceUrlField: definition.instanceUrlField } : {}),
  };
}

/** The environment variable prefix of a provider's settings: `SWITCHYARD_HUBSPOT_` for `hubspot`. */
export function providerEnvPrefix(provider: Pick<ProviderDefinition, "name">): string {
  return `SWITCHYARD_${provider.name.toUpperCase().replaceAll(/[^A-Z0-9]/g, "_")}_`;
}

/**
 * OAuth apps from the environment: `SWITCHYARD_<PROVIDER>_CLIENT_ID` and `SWITCHYARD_<PROVIDER>_CLIENT_SECRET`
 * for every provider with OAuth2 (e.g. `SWITCHYARD_HUBSPOT_CLIENT_ID`). `npm start`, the server it runs and
 * the CLI all read them. Throws ConfigError when only one of the two is set, instead of ignoring the app.
 */
export function providerSettingsFromEnv(
  providers: Readonly<Record<string, ProviderDefinition>>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, ProviderSettings> {
  const settings: Record<string, ProviderSettings> = {};
  for (const provider of Object.values(providers)) {
    const prefix = providerEnvPrefix(provider);
    const clientId = env[`${prefix}CLIENT_ID`];
    const clientSecret = env[`${prefix}CLIENT_SECRET`];
    if (!provider.oauth2 || (!clientId && !clientSecret)) continue;
    if (!clientId || !clientSecret) {
      const [set, missing] = clientId ? ["CLIENT_ID", "CLIENT_SECRET"] : ["CLIENT_SECRET", "CLIENT_ID"];
      throw new ConfigError(
        `${prefix}${set} is set but ${prefix}${missing} is not.`,
        `Set both to the client id and secret of your ${provider.displayName} app (docs/connecting-accounts.md), or neither.`,
      );
    }
    settings[provider.name] = { oauth2: { clientId, clientSecret } };
  }
  return settings;
}
