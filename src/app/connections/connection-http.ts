/** An HTTP client with a stored connection's credentials (OAuth2 refreshed as needed), closed after use. */
import type { HttpClient } from "../../core/index.ts";
import type { ClosableHttpClient } from "../../http/index.ts";
import { type ConnectionRow, environmentAllowsPrivateNetwork } from "../../store/index.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import { openConnection } from "./connections.ts";
import { createCheckHttp } from "./provider-http.ts";
import { connectionTokenSource } from "./tokens.ts";

export type ConnectionHttpDeps = Pick<
  PlatformDeps,
  "db" | "vault" | "providers" | "providerSettings" | "checkHttp"
>;

export async function withConnectionHttp<T>(
  deps: ConnectionHttpDeps,
  connection: ConnectionRow,
  use: (http: HttpClient) => Promise<T>,
): Promise<T> {
  const http = await openConnectionHttp(deps, connection);
  try {
    return await use(http);
  } finally {
    await http.close();
  }
}

/** The client itself; the caller closes it. */
export async function openConnectionHttp(
  deps: ConnectionHttpDeps,
  connection: ConnectionRow,
): Promise<ClosableHttpClient> {
  const provider = findProvider(deps.providers, connection.provider);
  const { credentials, config } = openConnection(deps.vault, connection);
  const http = createCheckHttp(deps, provider, {
    credentials,
    baseUrl: config.baseUrl,
    // The connection's runs, actions and webhooks share one rate-limit budget.
    connectionId: connection.id,
    tokens: connectionTokenSource(deps, connection, credentials),
    allowPrivateAddresses: await environmentAllowsPrivateNetwork(deps.db, connection.environment_id),
  });
  return http;
}
