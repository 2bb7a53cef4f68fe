import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AcmeTruth, acmeProvider } from "../../../test/helpers/acme-webhooks.ts";
import { openTempStore } from "../../../test/helpers/temp-store.ts";
import type { ProviderWebhooks } from "../../core/index.ts";
import { createConnection, ensureEnvironment, type Store } from "../../store/index.ts";
import { generateVaultKey, parseVaultKey, Vault } from "../../vault/index.ts";
import { AccountRouter } from "./routing.ts";

describe("AccountRouter", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTempStore());
  });
  afterEach(() => cleanup());

  it("routes every event of a burst while the connection's account id is still being asked", async () => {
    const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
    const provider = acmeProvider(new AcmeTruth());
    let asked = 0;
    const webhooks: ProviderWebhooks = {
      ...provider.webhooks!,
      // The provider takes a while to say which account the connection holds.
      async accountId() {
        asked++;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return "acct-1";
      },
    };
    const environment = await ensureEnvironment(store.db, "dev");
    const connection = await createConnection(store.db, {
      environmentId: environment.id,
      provider: "acme",
      sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: "t" })),
    });
    const router = new AccountRouter({ db: store.db, vault, providers: { acme: provider } });

    const routed = await Promise.all(
      Array.from({ length: 5 }, () => router.route(environment.id, "acme", webhooks, "acct-1")),
    );
    expect(routed.map((connections) => connections.map((row) => row.id))).toEqual(
      Array(5).fill([connection.id]),
    );
    expect(asked).toBe(1);
    // An account no connection holds stays unroutable, and does not make the provider be asked again at once.
    expect(await router.route(environment.id, "acme", webhooks, "acct-2")).toEqual([]);
    expect(asked).toBe(1);
  });

  it("routes to a connection made after this process last resolved (another process made it)", async () => {
    const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
    const provider = acmeProvider(new AcmeTruth());
    const webhooks: ProviderWebhooks = { ...provider.webhooks!, accountId: async () => "acct-1" };
    const environment = await ensureEnvironment(store.db, "dev");
    const worker = new AccountRouter({ db: store.db, vault, providers: { acme: provider } });
    // An event before any connection holds the account: unroutable.
    expect(await worker.route(environment.id, "acme", webhooks, "acct-1")).toEqual([]);
    // The server makes the connection a moment later; the worker is not told.
    const connection = await createConnection(store.db, {
      environmentId: environment.id,
      provider: "acme",
      sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: "t" })),
    });
    const routed = await worker.route(environment.id, "acme", webhooks, "acct-1");
    expect(routed.map((row) => row.id)).toEqual([connection.id]);
  });

  it("asks again for a connection whose credentials failed only after the retry interval", async () => {
    const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
    const provider = acmeProvider(new AcmeTruth());
    let asked = 0;
    let failing = true;
    const webhooks: ProviderWebhooks = {
      ...provider.webhooks!,
      async accountId() {
        asked++;
        if (failing) throw new Error("401");
        return "acct-1";
      },
    };
    const environment = await ensureEnvironment(store.db, "dev");
    await createConnection(store.db, {
      environmentId: environment.id,
      provider: "acme",
      sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: "t" })),
    });
    const retryMs = 200;
    const router = new AccountRouter({ db: store.db, vault, providers: { acme: provider } }, retryMs);
    expect(await router.route(environment.id, "acme", webhooks, "acct-1")).toEqual([]);
    expect(await router.route(environment.id, "acme", webhooks, "acct-1")).toEqual([]);
    expect(asked).toBe(1);
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, retryMs + 20));
    expect((await router.route(environment.id, "acme", webhooks, "acct-1")).length).toBe(1);
    expect(asked).toBe(2);
  });
});
