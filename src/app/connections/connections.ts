import { z } from "zod";
import { ConfigError, type Credentials, type OAuth2Credentials } from "../../core/index.ts";
import { assertBaseUrlAllowed } from "../../http/index.ts";
import {
  type ConnectionRow,
  createConnection,
  ensureEnvironment,
  environmentAllowsPrivateNetwork,
  findConnection,
  getConnection,
  updateConnection,
} from "../../store/index.ts";
import type { Vault } from "../../vault/index.ts";
import type { Workspace } from "../workspace.ts";

type KeyCredentials = Exclude<Credentials, OAuth2Credentials>;

const keyCredentialVariants = [
  z.object({ type: z.literal("bearer"), token: z.string().min(1) }),
  z.object({ type: z.literal("api_key"), key: z.string().min(1) }),
  z.object({ type: z.literal("basic"), username: z.string(), password: z.string() }),
] as const;

/** The shape of API-submitted credentials, one variant per auth scheme. OAuth2 tokens come only from Connect. */
export const credentialsSchema: z.ZodType<KeyCredentials, KeyCredentials> = z.discriminatedUnion(
  "type",
  keyCredentialVariants,
);

/** The shape of stored credentials: the API's, plus the OAuth2 tokens a Connect authorisation obtained. */
export const storedCredentialsSchema: z.ZodType<Credentials, Credentials> = z.discriminatedUnion("type", [
  ...keyCredentialVariants,
  z.object({
    type: z.literal("oauth2"),
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional(),
    expiresAt: z.string().optional(),
    scope: z.string().optional(),
  }),
]);

/** Non-secret per-connection settings. */
export const connectionConfigSchema = z.object({ baseUrl: z.string().url().optional() });
export type ConnectionConfig = z.infer<typeof connectionConfigSchema>;

/**
 * Returns the connection of `endUserId` at `provider` in `environment`, creating it, or replacing its
 * credentials and config when they are given again. Credentials are sealed before they touch the store.
 * A base URL with a user name or password, or leading to a private address in an environment that does
 * not allow them, is refused (ConfigError with a hint).
 */
export async function upsertConnection(
  workspace: Workspace,
  input: {
    environment: string;
    provider: string;
    endUserId: string;
    credentials: Credentials;
    config?: ConnectionConfig;
  },
): Promise<ConnectionRow> {
  const { db } = workspace.store;
  const env = await ensureEnvironment(db, input.environment);
  if (input.config?.baseUrl) {
    await assertBaseUrlAllowed(input.config.baseUrl, {
      allowPrivateAddresses: await environmentAllowsPrivateNetwork(db, env.id),
    });
  }
  const sealedCredentials = workspace.vault.seal(JSON.stringify(input.credentials));
  const existing = await findConnection(db, {
    environmentId: env.id,
    provider: input.provider,
    endUserId: input.endUserId,
  });
  if (!existing) {
    return createConnection(db, {
      environmentId: env.id,
      provider: input.provider,
      endUserId: input.endUserId,
      sealedCredentials,
      config: input.config ?? {},
    });
  }
  await updateConnection(db, existing.id, { sealedCredentials, config: input.config ?? {} });
  return getConnection(db, existing.id);
}

/** The JSON value of a stored text; undefined when it is not JSON (a schema then refuses it). */
function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Opens a connection's credentials and config for a run; throws ConfigError when they are unusable. */
export function openConnection(
  vault: Vault,
  row: ConnectionRow,
): { credentials: Credentials; config: ConnectionConfig } {
  const credentials = storedCredentialsSchema.safeParse(parsedOrUndefined(vault.open(row.credentials)));
  // A config that is not JSON at all (edited by hand) is unusable config, not a parser's crash.
  const config = connectionConfigSchema.safeParse(parsedOrUndefined(row.config));
  if (!credentials.success || !config.success) {
    throw new ConfigError(
      `Connection ${row.id} has unusable ${credentials.success ? "config" : "credentials"}.`,
      "Re-create the connection with valid credentials.",
    );
  }
  return { credentials: credentials.data, config: config.data };
}
