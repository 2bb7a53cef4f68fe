/**
 * A whole provider in a few declarations: auth, base URL, one stream with a cursor paginator.
 * Run `npx tsx docs/examples/minimal-provider.ts`: it serves a tiny "Acme Tickets" API on loopback and
 * syncs it twice (the second run is incremental and finds one change).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProviderDefinition, StreamDefinition, StreamState, SyncRecord } from "../../src/core/index.ts";
import { runSync } from "../../src/engine/index.ts";
import { cursorPaginator, paginate } from "../../src/http/index.ts";
import { createConnection, ensureEnvironment, openStore } from "../../src/store/index.ts";

// --- the provider -------------------------------------------------------------------------------------

const tickets: StreamDefinition = {
  name: "tickets",
  primaryKey: "id",
  cursorField: "updated_at",
  deletedField: "deleted",
  schema: { columns: { id: "string", subject: "string", updated_at: "timestamp", deleted: "boolean" } },
  async *read(ctx) {
    // State: `since` (incremental cursor) and `next` (position inside the current read).
    const since = ctx.fullRefresh ? undefined : (ctx.state?.since as string | undefined);
    let newest = since ?? "";
    const pages = paginate<SyncRecord>(
      ctx.http,
      { path: "/v1/tickets", query: { limit: 50, updated_since: since } },
      cursorPaginator({ cursorPath: "meta.next_cursor", param: "cursor" }),
      { records: "data", resumeFrom: ctx.state?.next as string | undefined, signal: ctx.signal },
    );
    for await (const page of pages) {
      for (const record of page.records)
        if (String(record.updated_at) > newest) newest = String(record.updated_at);
      const state: StreamState =
        page.next === undefined ? { since: newest } : { since: since ?? "", next: page.next };
      yield { records: page.records, state };
    }
  },
};

export const acme: ProviderDefinition = {
  name: "acme",
  displayName: "Acme Tickets",
  baseUrl: "https://api.acme.example",
  auth: { type: "api_key", in: "header", name: "x-api-key" },
  streams: [tickets],
  async checkCredentials(http) {
    await http.request({ path: "/v1/tickets", query: { limit: 1 } });
  },
};

// --- a toy emulator and two syncs ---------------------------------------------------------------------

const data = Array.from({ length: 120 }, (_, i) => ({
  id: `T-${i}`,
  subject: `Ticket ${i}`,
  updated_at: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
  deleted: false,
}));
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (req.headers["x-api-key"] !== "acme-key") return void res.writeHead(401).end('{"error":"bad key"}');
  const since = url.searchParams.get("updated_since") ?? "";
  const start = Number(url.searchParams.get("cursor") ?? 0);
  const limit = Number(url.searchParams.get("limit") ?? 50);
  const matching = data.filter((t) => t.updated_at > since);
  const page = matching.slice(start, start + limit);
  const next = start + limit < matching.length ? String(start + limit) : null;
  res
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify({ data: page, meta: { next_cursor: next } }));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const store = await openStore({ kind: "sqlite", path: ":memory:" });
const env = await ensureEnvironment(store.db, "dev");
const connection = await createConnection(store.db, {
  environmentId: env.id,
  provider: "acme",
  sealedCredentials: "-",
});
const job = {
  store,
  provider: acme,
  connection: {
    id: connection.id,
    credentials: { type: "api_key" as const, key: "acme-key" },
    baseUrl,
    // The stand-in API listens on 127.0.0.1; without this, the SSRF guard refuses private addresses.
    allowPrivateAddresses: true,
  },
};

const first = await runSync(job);
data[7] = { ...data[7]!, subject: "Printer on fire", updated_at: "2025-02-01T00:00:00.000Z" };
const second = await runSync(job);
console.log(
  first.status,
  first.stats.recordsAdded,
  "added;",
  second.status,
  second.stats.recordsUpdated,
  "updated",
);

await store.close();
server.close();
