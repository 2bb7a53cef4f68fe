import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { SwitchyardError } from "../../core/index.ts";
import {
  type ApiKeyRow,
  type Database,
  findActiveApiKey,
  insertApiKey,
  touchApiKey,
} from "../../store/index.ts";

/**
 * Who is calling: the key and the environment it belongs to. An admin key works in its environment like any
 * key and also manages the organisation's environments (lists them all, creates new ones).
 */
export interface ApiCaller {
  keyId: string;
  environmentId: string;
  environmentName: string;
  admin: boolean;
}

/** Characters of the secret kept (and shown) as its prefix, after `sy_<env>_`. */
const PREFIX_CHARS = 4;
/** last_used_at is written at most this often per key, so reads do not turn into writes. */
const TOUCH_EVERY_MS = 60_000;

/** sha256 of a key, hex: what the store keeps. Keys carry 256 random bits, so a fast hash is enough. */
export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A new secret `sy_<env>_<43 base64url chars>` (256 random bits) and its displayable prefix. */
export function generateApiKeySecret(environmentName: string): { secret: string; prefix: string } {
  const head = `sy_${environmentName}_`;
  const secret = `${head}${randomBytes(32).toString("base64url")}`;
  return { secret, prefix: secret.slice(0, head.length + PREFIX_CHARS) };
}

/**
 * Creates a key in an environment (an admin key when `options.admin`); the returned secret exists nowhere
 * else and is shown once.
 */
export async function issueApiKey(
  db: Kysely<Database>,
  environment: { id: string; name: string },
  name: string,
  options: { admin?: boolean } = {},
): Promise<{ key: ApiKeyRow; secret: string }> {
  const { secret, prefix } = generateApiKeySecret(environment.name);
  const key = await insertApiKey(db, {
    environmentId: environment.id,
    name,
    prefix,
    hash: hashApiKey(secret),
    admin: options.admin === true,
  });
  return { key, secret };
}

/** The caller a secret belongs to, or undefined if it is unknown or revoked. Notes when the key was used. */
export async function authenticateApiKey(
  db: Kysely<Database>,
  secret: string,
): Promise<ApiCaller | undefined> {
  const key = await findActiveApiKey(db, hashApiKey(secret));
  if (!key) return undefined;
  const now = Date.now();
  if (!key.last_used_at || now - Date.parse(key.last_used_at) >= TOUCH_EVERY_MS) {
    await touchApiKey(db, key.id, new Date(now).toISOString());
  }
  return {
    keyId: key.id,
    environmentId: key.environment_id,
    environmentName: key.environment_name,
    admin: key.admin === 1,
  };
}

/**
 * Throws `forbidden` unless the caller holds an admin key; `action` completes "An environment key cannot …".
 */
export function assertAdmin(caller: ApiCaller, action: string): void {
  if (caller.admin) return;
  throw new SwitchyardError(
    "forbidden",
    `This API key belongs to environment "${caller.environmentName}" and cannot ${action}.`,
    {
      hint:
        "Use an admin key: the one `npm start` wrote to .switchyard/dev-api-key, or one made with " +
        "`switchyard keys create --admin --environment <name>`.",
    },
  );
}
