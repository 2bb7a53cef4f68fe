/**
 * Which connections an event belongs to: those whose account at the provider (HubSpot portal, Pipedrive
 * company) is the event's. A connection's account id is asked of the provider once (the declaration's
 * `accountId` call) and kept; an event for an account no connection is known to hold first resolves the
 * environment's connections not asked yet. A connection whose answer failed is asked again at most once per
 * `retryMs`; a new one is asked at once, whichever process made it.
 */
import type { ProviderWebhooks } from "../../core/index.ts";
import {
  type ConnectionRow,
  connectionsOfAccount,
  connectionsWithoutAccount,
  getConnection,
  saveAccountId,
} from "../../store/index.ts";
import { type ConnectionHttpDeps, withConnectionHttp } from "../connections/connection-http.ts";

export class AccountRouter {
  /** When each connection whose account could not be learnt was last asked. */
  private readonly lastFailed = new Map<string, number>();
  /** Resolutions under way: events processed at the same time wait for the one resolution, not skip it. */
  private readonly resolving = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: ConnectionHttpDeps,
    private readonly retryMs = 30_000,
  ) {}

  /** The connections holding `accountId`; empty when none does (the event is unroutable). */
  async route(
    environmentId: string,
    provider: string,
    webhooks: ProviderWebhooks,
    accountId: string,
  ): Promise<ConnectionRow[]> {
    let ids = await connectionsOfAccount(this.deps.db, environmentId, provider, accountId);
    if (ids.length === 0) {
      await this.resolve(environmentId, provider, webhooks);
      // Looked up again even when this process learnt nothing: another worker may have saved the account id
      // between the first lookup and the resolution (two workers, one burst: it happened).
      ids = await connectionsOfAccount(this.deps.db, environmentId, provider, accountId);
    }
    return Promise.all(ids.map((id) => getConnection(this.deps.db, id)));
  }

  /**
   * Asks the provider for the account id of each connection not asked yet. A caller arriving while a
   * resolution runs waits for it (otherwise its event would be unroutable although the resolution under way
   * is about to route it).
   */
  private resolve(environmentId: string, provider: string, webhooks: ProviderWebhooks): Promise<void> {
    const key = `${environmentId}:${provider}`;
    const running = this.resolving.get(key);
    if (running) return running;
    const resolution = this.askProvider(environmentId, provider, webhooks).finally(() =>
      this.resolving.delete(key),
    );
    this.resolving.set(key, resolution);
    return resolution;
  }

  private async askProvider(
    environmentId: string,
    provider: string,
    webhooks: ProviderWebhooks,
  ): Promise<void> {
    const unknown = await connectionsWithoutAccount(this.deps.db, environmentId, provider);
    for (const connection of unknown) {
      const failedAt = this.lastFailed.get(connection.id);
      if (failedAt !== undefined && Date.now() - failedAt < this.retryMs) continue;
      try {
        const accountId = await withConnectionHttp(this.deps, connection, (http) =>
          webhooks.accountId(http, AbortSignal.timeout(30_000)),
        );
        await saveAccountId(this.deps.db, connection, accountId);
        this.lastFailed.delete(connection.id);
      } catch {
        // Its credentials failed: asked again after retryMs, not on every event; its runs report why.
        this.lastFailed.set(connection.id, Date.now());
      }
    }
  }
}
