/**
 * Two "processes" (two independent backends, as two workers would have) share one provider account's
 * budget through Redis: what one learns from the provider's headers, the other paces by.
 * `REDIS_URL=redis://127.0.0.1:6379/0 npx tsx docs/examples/shared-budget.ts` (its key expires within a day).
 */
import { openRedisBudgetStore, providerAccountKey, StoredRateLimitBudget } from "../../src/http/index.ts";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const prefix = `switchyard-example-${process.pid}:`;
const [workerA, workerB] = [await openRedisBudgetStore(url, prefix), await openRedisBudgetStore(url, prefix)];

// Two connections holding the same private-app token on the same API: one account, one key.
const key = providerAccountKey({
  provider: "hubspot",
  baseUrl: "https://api.hubapi.com",
  credentials: { type: "bearer", token: "pat-na1-example" },
  connectionId: "conn_1",
});
const [budgetA, budgetB] = [new StoredRateLimitBudget(key, workerA), new StoredRateLimitBudget(key, workerB)];

// Worker A sends a request and reads X-HubSpot-RateLimit-* from the answer: nothing left for 3 s.
await budgetA.acquire();
budgetA.observe({ limit: 100, remaining: 0, windowMs: 3_000 }, 200);
await new Promise((resolve) => setTimeout(resolve, 50)); // the HTTP client does not await observe

// Worker B never saw that answer, but paces by it: its request waits for the window to reset.
const waited = await budgetB.acquire(undefined, (ms, reason) => console.log(`B waits ${ms} ms: ${reason}`));
console.log(`${key} shared: B waited ${waited} ms`);

await workerA.close();
await workerB.close();
