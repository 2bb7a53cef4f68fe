/**
 * A provider made of declarations with the provider kit (docs/provider-kit.md): auth, base URL, rate-limit
 * headers, a check call and one declared stream with a cursor paginator, incremental reads with a lookback,
 * a delete rule and custom fields discovered from a fields endpoint.
 * Run `npx tsx docs/examples/declared-provider.ts`: it serves a tiny "Acme CRM" API on loopback, syncs it,
 * changes one contact and deletes another, and syncs again (incrementally).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { runSync } from "../../src/engine/index.ts";
import { defineProvider } from "../../src/providers/kit/index.ts";
import { createConnection, ensureEnvironment, listRecords, openStore } from "../../src/store/index.ts";

// --- the provider -------------------------------------------------------------------------------------

export const acmeCrm = defineProvider({
  name: "acme_crm",
  displayName: "Acme CRM",
  baseUrl: "https://api.acme-crm.example",
  auth: { type: "api_key", in: "header", name: "x-api-key" },
  rateLimit: { limit: "x-ratelimit-limit", remaining: "x-ratelimit-remaining", windowMs: 10_000 },
  check: { path: "/v1/me" },
  streams: [
    {
      name: "contacts",
      primaryKey: "id",
      request: { path: "/v1/contacts", query: { limit: 25 } },
      records: "data",
      paginator: { type: "cursor", cursorPath: "meta.next_cursor", param: "cursor" },
      incremental: {
        cursorField: "updated_at",
        param: "updated_since",
        format: "iso8601_seconds",
        lookbackSeconds: 60,
      },
      deleted: { type: "field", field: "deleted_at", notEquals: null },
      schema: {
        columns: { id: "string", name: "string", updated_at: "timestamp", deleted_at: "timestamp" },
        discover: {
          request: { path: "/v1/contactFields" },
          records: "data",
          types: { number: "number", date: "timestamp" },
          custom: { field: "custom", equals: true },
        },
      },
    },
  ],
});

// --- a toy API and two syncs --------------------------------------------------------------------------

const minute = (n: number) => new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString();
const contacts = Array.from({ length: 60 }, (_, i) => ({
  id: `C-${i}`,
  name: `Contact ${i}`,
  updated_at: minute(i),
  deleted_at: null as string | null,
  cf_8d2e: String(i * 10), // the custom field "Deal budget", sent as a string
}));
const fields = [
  { key: "name", type: "text", custom: false },
  { key: "cf_8d2e", name: "Deal budget", type: "number", custom: true },
];

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  const send = (status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  if (req.headers["x-api-key"] !== "acme-key") return send(401, { error: "bad key" });
  if (url.pathname === "/v1/me") return send(200, { id: "u1" });
  if (url.pathname === "/v1/contactFields") return send(200, { data: fields });
  const since = url.searchParams.get("updated_since") ?? "";
  const start = Number(url.searchParams.get("cursor") ?? 0);
  const limit = Number(url.searchParams.get("limit"));
  const matching = contacts.filter((c) => c.updated_at >= since);
  const next = start + limit < matching.length ? String(start + limit) : null;
  return send(200, { data: matching.slice(start, start + limit), meta: { next_cursor: next } });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const store = await openStore({ kind: "sqlite", path: ":memory:" });
const env = await ensureEnvironment(store.db, "dev");
const connection = await createConnection(store.db, {
  environmentId: env.id,
  provider: acmeCrm.name,
  sealedCredentials: "-",
});
const job = {
  store,
  provider: acmeCrm,
  // The toy API listens on loopback, which the HTTP client refuses unless the connection allows it.
  connection: {
    id: connection.id,
    credentials: { type: "api_key" as const, key: "acme-key" },
    baseUrl,
    allowPrivateAddresses: true,
  },
};

const first = await runSync(job);
contacts[7] = { ...contacts[7]!, name: "Grace", updated_at: minute(100) };
contacts[8] = { ...contacts[8]!, deleted_at: minute(101), updated_at: minute(101) };
const second = await runSync(job);
const { stats } = second;
console.log(
  `${first.status} ${first.stats.recordsAdded} added; ${second.status} ${stats.recordsUpdated} updated ${stats.recordsDeleted} deleted`,
);
// The custom field came out named after its label and typed as the fields endpoint says.
const cached = await listRecords(store.db, connection.id, "contacts", { limit: 100 });
console.log(cached.find((record) => record.pk === "C-7")?.payload);

await store.close();
server.close();
