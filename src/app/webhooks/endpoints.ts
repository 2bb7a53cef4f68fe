/**
 * The product's webhook endpoints: created with a secret shown once (then kept sealed by the vault), their
 * URL held to the same address rules as the proxy, enabled and disabled, and their secret rotated with an
 * overlap during which both secrets sign.
 */
import type { Kysely } from "kysely";
import { ConfigError, RequestInvalidError } from "../../core/index.ts";
import { assertBaseUrlAllowed } from "../../http/index.ts";
import {
  type Database,
  deleteWebhookEndpoint,
  environmentAllowsPrivateNetwork,
  getWebhookEndpointIn,
  insertWebhookEndpoint,
  inTransaction,
  makePendingDeliveriesDue,
  nowIso,
  type OutboundEventType,
  patchWebhookEndpoint,
  type WebhookEndpointPatch,
  type WebhookEndpointRow,
} from "../../store/index.ts";
import type { Vault } from "../../vault/index.ts";
import { generateWebhookSecret } from "../../webhooks/outbound/index.ts";

export interface EndpointDeps {
  db: Kysely<Database>;
  vault: Vault;
}

/** How long the previous secret keeps signing after a rotation, unless the caller says otherwise. */
export const DEFAULT_ROTATION_OVERLAP_S = 24 * 3600;

/**
 * Throws request_invalid naming `url` unless it is http(s), has no user:password part, and is not (and does
 * not resolve to) a loopback, private or link-local address, unless the environment allows private addresses.
 * Every delivery is checked again at the socket (DNS may change).
 */
export async function assertEndpointUrlFits(
  db: Kysely<Database>,
  environmentId: string,
  url: string,
): Promise<void> {
  const refuse = (message: string, hint?: string) =>
    new RequestInvalidError([{ location: "body", path: "url", message }], hint);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse("Not a URL.", "Give the absolute https URL your endpoint listens on.");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw refuse(`Webhooks are sent over http or https, not ${parsed.protocol.slice(0, -1)}.`);
  try {
    await assertBaseUrlAllowed(url, {
      allowPrivateAddresses: await environmentAllowsPrivateNetwork(db, environmentId),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw refuse(error.message, error.hint);
  }
}

export interface NewEndpoint {
  url: string;
  description?: string;
  /** Null or absent: every event type. */
  eventTypes?: readonly OutboundEventType[] | null;
}

/** Creates an enabled endpoint; returns it with its secret, which is never shown again. */
export async function createWebhookEndpoint(
  deps: EndpointDeps,
  environmentId: string,
  input: NewEndpoint,
): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  await assertEndpointUrlFits(deps.db, environmentId, input.url);
  const secret = generateWebhookSecret();
  const endpoint = await insertWebhookEndpoint(deps.db, {
    environmentId,
    url: input.url,
    description: input.description ?? "",
    eventTypes: input.eventTypes ?? null,
    sealedSecret: deps.vault.seal(secret),
  });
  return { endpoint, secret };
}

export interface EndpointChanges {
  url?: string;
  description?: string;
  eventTypes?: readonly OutboundEventType[] | null;
  /** false disables it (with `disabledReason`); true enables it again and makes waiting deliveries due. */
  enabled?: boolean;
  disabledReason?: string;
}

/** Applies changes to an endpoint of the environment and returns it. */
export async function changeWebhookEndpoint(
  deps: EndpointDeps,
  environmentId: string,
  id: string,
  changes: EndpointChanges,
): Promise<WebhookEndpointRow> {
  const row = await getWebhookEndpointIn(deps.db, environmentId, id);
  if (changes.url !== undefined) await assertEndpointUrlFits(deps.db, environmentId, changes.url);
  const patch: WebhookEndpointPatch = {
    ...(changes.url !== undefined ? { url: changes.url } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
    ...(changes.eventTypes !== undefined
      ? { event_types: changes.eventTypes ? JSON.stringify(changes.eventTypes) : null }
      : {}),
  };
  if (changes.enabled === true && row.enabled === 0) {
    Object.assign(patch, {
      enabled: 1,
      disabled_reason: null,
      disabled_at: null,
      failing_since: null,
      exhausted_in_a_row: 0,
    });
  } else if (changes.enabled === false && row.enabled === 1) {
    Object.assign(patch, {
      enabled: 0,
      disabled_reason: changes.disabledReason ?? "Disabled through the API.",
      disabled_at: nowIso(),
    });
  }
  await inTransaction(deps.db, async (trx) => {
    await patchWebhookEndpoint(trx, row.id, patch);
    if (patch.enabled === 1) await makePendingDeliveriesDue(trx, row.id);
  });
  return getWebhookEndpointIn(deps.db, environmentId, id);
}

/**
 * Gives the endpoint a new secret, returned once. The old one keeps signing beside it for `overlapSeconds`
 * (a rotation during an overlap drops the oldest), so receivers can switch without missing a delivery.
 */
export async function rotateWebhookSecret(
  deps: EndpointDeps,
  environmentId: string,
  id: string,
  overlapSeconds: number = DEFAULT_ROTATION_OVERLAP_S,
): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  const row = await getWebhookEndpointIn(deps.db, environmentId, id);
  const secret = generateWebhookSecret();
  await patchWebhookEndpoint(deps.db, row.id, {
    secret: deps.vault.seal(secret),
    previous_secret: overlapSeconds > 0 ? row.secret : null,
    previous_secret_expires_at:
      overlapSeconds > 0 ? new Date(Date.now() + overlapSeconds * 1000).toISOString() : null,
  });
  return { endpoint: await getWebhookEndpointIn(deps.db, environmentId, id), secret };
}

/** Deletes an endpoint of the environment with its deliveries and their log. */
export async function removeWebhookEndpoint(
  deps: Pick<EndpointDeps, "db">,
  environmentId: string,
  id: string,
): Promise<WebhookEndpointRow> {
  const row = await getWebhookEndpointIn(deps.db, environmentId, id);
  await inTransaction(deps.db, (trx) => deleteWebhookEndpoint(trx, row.id));
  return row;
}
