/**
 * Environment isolation, for every /v1 route in the registry (new routes are covered automatically):
 * with a `prod` key, no request — whatever ids of `dev` objects it names in its path, query or body — returns
 * anything of `dev`, or changes anything of `dev`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendRunLogs, createRun } from "../store/index.ts";
import type { AnyRoute } from "./route.ts";
import { apiRoutes } from "./routes/index.ts";
import { GOOD_TOKEN, type Harness, startHarness } from "./test-harness.ts";

const routes = (apiRoutes as readonly AnyRoute[]).filter((route) => route.auth === "api_key");

let h: Harness;
/** Strings that identify dev's objects; none may appear in a reply to a prod key. */
let devMarkers: string[];
let devIds: string[];
let devConnectionId: string;
let devKeyId: string;

beforeAll(async () => {
  h = await startHarness();
  const connection = await h.dev.post("/v1/connections", {
    body: {
      provider: "loopback",
      credentials: { type: "bearer", token: GOOD_TOKEN },
      end_user: { id: "dev-customer-7c1", email: "dev-only@acme.example", organization: "DevOnlyOrg" },
      tags: ["devtag9"],
      metadata: { devmeta: "dev-secret-plan" },
      config: { base_url: h.provider.url },
    },
  });
  devConnectionId = connection.id;
  const run = await createRun(h.store.db, { connectionId: connection.id, fullRefresh: false });
  await appendRunLogs(h.store.db, [
    { runId: run.id, seq: 0, at: run.startedAt, level: "warn", message: "dev-log-line-marker" },
  ]);
  const key = await h.dev.post("/v1/api-keys", { body: { name: "dev-key-name-marker" } });
  h.secret(key.secret);
  devKeyId = key.id;
  const events = await h.dev.get("/v1/events");
  // The connection's default sync (every new connection gets one).
  const syncs = await h.dev.get("/v1/syncs");
  expect(syncs.data).toHaveLength(1);
  devIds = [
    connection.id,
    run.id,
    key.id,
    ...events.data.map((event) => event.id),
    ...syncs.data.map((sync) => sync.id),
  ];
  devMarkers = [
    ...devIds,
    "dev-customer-7c1",
    "dev-only@acme.example",
    "DevOnlyOrg",
    "devtag9",
    "dev-secret-plan",
    "dev-log-line-marker",
    "dev-key-name-marker",
    key.prefix,
  ];
});
afterAll(async () => {
  expect(await h.leakedSecrets()).toEqual([]);
  await h.close();
});

/** Requests to try for a route: every dev id in every path parameter and every `*_id` query or body field. */
function attempts(route: AnyRoute): { url: string; body?: unknown }[] {
  const paramNames = Object.keys(route.params?.shape ?? {});
  const queryIdFields = Object.keys(route.query?.shape ?? {}).filter((name) => name.endsWith("_id"));
  const exampleBody = route.example?.body;
  const bodyIdFields =
    exampleBody && typeof exampleBody === "object"
      ? Object.keys(exampleBody).filter((name) => name.endsWith("_id"))
      : [];
  const fill = (id: string) => route.url.replaceAll(/:([A-Za-z0-9_]+)/g, () => encodeURIComponent(id));
  const urls = paramNames.length > 0 ? devIds.map(fill) : [route.url];
  const list: { url: string; body?: unknown }[] = [];
  for (const url of urls) {
    list.push({ url, ...(exampleBody !== undefined ? { body: exampleBody } : {}) });
    for (const field of queryIdFields) for (const id of devIds) list.push({ url: `${url}?${field}=${id}` });
    for (const field of bodyIdFields) {
      for (const id of devIds) list.push({ url, body: { ...(exampleBody as object), [field]: id } });
    }
  }
  return list;
}

describe("environment isolation", () => {
  it("covers every /v1 route, and every route with a body has an example to reach its handler", () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const route of routes) {
      expect(route.url.startsWith("/v1/"), route.url).toBe(true);
      if (route.body)
        expect(route.example?.body, `${route.method} ${route.url} needs example.body`).toBeDefined();
    }
  });

  it.each(routes.map((route) => [`${route.method} ${route.url}`, route] as const))(
    "%s with a prod key reveals and changes nothing of dev",
    async (_name, route) => {
      for (const attempt of attempts(route)) {
        const response = await h.app.inject({
          method: route.method,
          url: attempt.url,
          headers: { authorization: `Bearer ${h.keys.prod}` },
          ...(attempt.body !== undefined ? { payload: attempt.body as object } : {}),
        });
        const what = `${route.method} ${attempt.url}`;
        expect(response.statusCode, `${what}: ${response.body}`).toBeLessThan(500);
        // A dev object named in the path does not exist for prod.
        if (route.params) expect([400, 404], `${what}: ${response.body}`).toContain(response.statusCode);
        // The reply may echo what the request said (`Connection "conn_…" does not exist`), nothing more.
        const sent = `${attempt.url} ${JSON.stringify(attempt.body ?? null)}`;
        for (const marker of devMarkers.filter((m) => !sent.includes(m))) {
          expect(response.body, `${what} leaked ${marker}`).not.toContain(marker);
        }
      }
    },
  );

  it("left dev's data as it was", async () => {
    const connection = await h.dev.get("/v1/connections/:id", { params: { id: devConnectionId } });
    expect(connection).toMatchObject({
      status: "active",
      tags: ["devtag9"],
      metadata: { devmeta: "dev-secret-plan" },
    });
    const keys = await h.dev.get("/v1/api-keys");
    expect(keys.data.map((key) => key.id)).toContain(devKeyId);
    expect((await h.dev.get("/v1/runs")).data).toHaveLength(1);
    const [sync] = (await h.dev.get("/v1/syncs")).data;
    expect(sync).toMatchObject({ frequency: "1h", enabled: true, run_requested: null, streams: ["items"] });
    // What prod did stayed in prod: the connections it created are prod's, not dev's.
    const devConnections = await h.dev.get("/v1/connections");
    expect(devConnections.data.map((c) => c.id)).toEqual([devConnectionId]);
  });
});
