/**
 * Which connections an event belongs to: those whose account at the provider (HubSpot portal, Pipedrive
 * company) is the event's. A connection's account id is asked of the provider once (the declaration's
 * `accountId` call) and kept; an event for an account no connection is known to hold first resolves the
 * environment's connections not asked yet, at most once per `retryMs` per environment and provider.
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
  private readonly lastResolved = new Map<string, number>();
  /** Resolutions under way: events processed at the same time wait for the one resolution, not skip it. */
  private readonly resolving = new Map<string, Promise<boolean>>();

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
    if (ids.length === 0 && (await this.resolve(environmentId, provider, webhooks))) {
      ids = await connectionsOfAccount(this.deps.db, environmentId, provider, accountId);
    }
    return Promise.all(ids.map((id) => getConnection(this.deps.db, id)));
  }

  /**
   * Asks the provider for the account id of each connection not asked yet; false when it is too soon to. A
   * caller arriving while a resolution runs waits for it (otherwise "too soon" would leave its event
   * unroutable although the resolution under way is about to route it).
   */
  private resolve(environmentId: string, provider: string, webhooks: ProviderWebhooks): Promise<boolean> {
    const key = `${environmentId}:${provider}`;
    const running = this.resolving.get(key);
    if (running) return running;
    const last = this.lastResolved.get(key);
    if (last !== undefined && Date.now() - last < this.retryMs) return Promise.resolve(false);
    this.lastResolved.set(key, Date.now());
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
  ): Promise<boolean> {
    const unknown = await connectionsWithoutAccount(this.deps.db, environmentId, provider);
    for (const connection of unknown) {
      try {
        const accountId = await withConnectionHttp(this.deps, connection, (http) =>
          webhooks.accountId(http, AbortSignal.timeout(30_000)),
        );
        await saveAccountId(this.deps.db, connection, accountId);
      } catch {
        // A connection whose credentials fail is asked again at the next resolution; its runs report why.
      }
    }
    return unknown.length > 0;
  }

  /** Forgets when resolution last ran (a new connection was made). */
  reset(): void {
    this.lastResolved.clear();
  }
}
