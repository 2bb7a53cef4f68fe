/**
 * What a provider declares about the webhooks it sends (`ProviderDefinition.webhooks`): how they are
 * signed, how a delivery splits into events, which account each event belongs to, and whether an event is
 * applied to the records cache or turned into an incremental sync. src/webhooks/inbound/ does the rest.
 */
import type { HttpClient, SyncRecord } from "./types.ts";

/** The signature schemes of src/webhooks/inbound/verify/, one per file. */
export type WebhookSignatureScheme = "hubspot-v3" | "basic-auth" | "stripe" | "shopify" | "github";

/** What a provider's event asks of Switchyard. */
export type InboundEventAction =
  /** Fetch the record (`fetchRecord`) and upsert it into the cache. */
  | "upsert"
  /** Mark the record deleted in the cache. */
  | "delete"
  /** Run an incremental sync of the stream (debounced per connection). */
  | "sync"
  /** Nothing Switchyard acts on: kept, visible, never applied. */
  | "ignore";

/** One event of a delivery (a delivery may carry many: HubSpot batches them). */
export interface InboundEvent {
  /** The provider's event id: a delivery retried carries the same one, so it is applied once. */
  eventId: string;
  /** The provider's event type as it names it (`contact.propertyChange`, `change.person`). */
  type: string;
  /** The provider account the event happened in (HubSpot portal id, Pipedrive company id); undefined: unknown. */
  accountId: string | undefined;
  action: InboundEventAction;
  /** The stream it touches (`contacts`); undefined for an event Switchyard does not know. */
  stream: string | undefined;
  /** The record's primary key in that stream. */
  recordId: string | undefined;
  /** When it happened at the provider (ISO-8601), if it says. */
  occurredAt: string | undefined;
  /** The event as the provider sent it. */
  payload: unknown;
}

export interface ProviderWebhooks {
  scheme: WebhookSignatureScheme;
  /** What the secret is, for docs and errors (`the OAuth app's client secret`). */
  secretDescription: string;
  /**
   * The provider signs with the OAuth app's client secret (HubSpot v3): without a secret set for the
   * environment, the deployment's OAuth app secret (provider settings) verifies.
   */
  signedWithOAuthClientSecret?: boolean;
  /**
   * The events of one delivery's parsed JSON body. Throws on a body that is not the provider's shape; an
   * event of a type Switchyard does not know comes back with action "ignore" rather than being dropped.
   */
  parse(body: unknown): InboundEvent[];
  /** The account id of the connection whose credentials `http` carries (one cheap call). */
  accountId(http: HttpClient, signal: AbortSignal): Promise<string>;
  /** The record as the stream outputs it; undefined when the provider no longer has it. */
  fetchRecord?(
    http: HttpClient,
    stream: string,
    id: string,
    signal: AbortSignal,
  ): Promise<SyncRecord | undefined>;
}
