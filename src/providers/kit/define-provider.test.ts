import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, CredentialsRejectedError, type StreamDefinition } from "../../core/index.ts";
import { sendJson } from "../../http/test-server.ts";
import { defineProvider, type ProviderSpec } from "./define-provider.ts";
import { defineStream } from "./define-stream.ts";
import type { StreamSpec } from "./stream-spec.ts";
import { type LoopbackApi, readPages, recordsOf, startApi } from "./test-helpers.ts";

/** Accepts `good-token`, answers 401 to a missing token and 403 to any other. */
async function api(token: string): Promise<LoopbackApi> {
  return startApi((req, res) => {
    const auth = req.headers.authorization;
    if (auth === undefined) return sendJson(res, 401, { error: "unauthorized" });
    if (auth !== "Bearer good-token") return sendJson(res, 403, { error: "token lacks scope users:read" });
    return sendJson(res, 200, { data: { id: 1, name: "me" } });
  }, token);
}

const users: StreamSpec = {
  name: "users",
  primaryKey: "id",
  request: { path: "/v1/users" },
  records: "data",
  paginator: { type: "link_header" },
  schema: { columns: { id: "integer", name: "string" } },
};

const handWritten: StreamDefinition = {
  name: "stats",
  primaryKey: "day",
  schema: { columns: { day: "string", count: "integer" } },
  async *read() {
    yield { records: [{ day: "2025-01-01", count: 3 }], state: {} };
  },
};

const spec: ProviderSpec = {
  name: "acme",
  displayName: "Acme",
  baseUrl: "https://api.acme.example",
  auth: { type: "bearer" },
  rateLimit: { limit: "x-ratelimit-limit", remaining: "x-ratelimit-remaining", windowMs: 2000 },
  check: { path: "/v1/users/me" },
  streams: [users, handWritten],
};

describe("defineProvider", () => {
  const acme = defineProvider(spec);
  let good: LoopbackApi;
  let forbidden: LoopbackApi;
  beforeAll(async () => {
    good = await api("good-token");
    forbidden = await api("other-token");
  });
  afterAll(async () => {
    await good.close();
    await forbidden.close();
  });

  it("turns declared streams into kit streams and keeps hand-written ones as they are", async () => {
    expect(acme.streams.map((stream) => stream.name)).toEqual(["users", "stats"]);
    expect(acme.streams[0]?.stateSchema).toBeDefined();
    expect(acme.streams[1]).toBe(handWritten);
    expect(recordsOf(await readPages(acme.streams[1]!, good.http))).toEqual([
      { day: "2025-01-01", count: 3 },
    ]);
    expect(acme.rateLimit).toEqual(spec.rateLimit);
  });

  it("check call: resolves when the credentials are accepted, on the declared path", async () => {
    await expect(acme.checkCredentials(good.http)).resolves.toBeUndefined();
    expect(good.server.requests.at(-1)?.url).toBe("/v1/users/me");
  });

  it("check call: a 403 is CredentialsRejectedError with the provider's message", async () => {
    const error = await acme.checkCredentials(forbidden.http).catch((e) => e);
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect(error.message).toContain("HTTP 403");
  });

  it("check call: a 401 is CredentialsRejectedError", async () => {
    const missing = await startApi((_req, res) => sendJson(res, 401, { error: "unauthorized" }));
    try {
      await expect(acme.checkCredentials(missing.http)).rejects.toBeInstanceOf(CredentialsRejectedError);
    } finally {
      await missing.close();
    }
  });
});

describe("declarations are checked when they are defined", () => {
  const invalid = (patch: Partial<StreamSpec>) => () => defineStream({ ...users, ...patch } as StreamSpec);

  it("names the wrong field of a paginator", () => {
    expect(
      invalid({ paginator: { type: "offset", offsetParam: "start", limitParam: "limit", limit: 0 } }),
    ).toThrow(/Stream "users" is not a valid declaration: paginator\.limit: Too small/);
    expect(invalid({ paginator: { type: "pages" } as never })).toThrow(/paginator\.type/);
  });

  it("requires the primary key among the columns", () => {
    expect(invalid({ primaryKey: "uuid" })).toThrow('primaryKey: "uuid" is not one of schema.columns');
  });

  it("requires POST for parameters sent in the body", () => {
    expect(
      invalid({ paginator: { type: "cursor", cursorPath: "next", param: "after", in: "body" } }),
    ).toThrow('request.method: parameters sent "in": "body" need method POST');
  });

  it("requires POST on a deleted-records endpoint that takes a cursor sent in the body", () => {
    const search = { path: "/v1/users/search", method: "POST" as const };
    const declared = {
      request: search,
      paginator: { type: "cursor" as const, cursorPath: "next", param: "after", in: "body" as const },
      incremental: {
        cursorField: "updated",
        param: "since",
        in: "body" as const,
        format: "iso8601" as const,
      },
    };
    expect(
      invalid({ ...declared, deleted: { type: "endpoint", request: { path: "/v1/users/search" } } }),
    ).toThrow('deleted.request.method: parameters sent "in": "body" need method POST');
    expect(
      invalid({ ...declared, deleted: { type: "endpoint", request: search, since: true } }),
    ).not.toThrow();
  });

  it("rejects an unknown cursor format and unknown keys", () => {
    expect(
      invalid({ incremental: { cursorField: "updated", param: "since", format: "rfc2822" as never } }),
    ).toThrow(/incremental\.format/);
    expect(invalid({ recordz: "data" } as never)).toThrow(ConfigError);
  });

  it("names the provider of a wrong stream", () => {
    const broken = { ...users, records: undefined } as unknown as StreamSpec;
    expect(() => defineProvider({ ...spec, streams: [broken] })).toThrow(
      /^Stream "acme\.users" is not a valid declaration: records: /,
    );
  });

  it("keeps fixed (unannounced) rate limits, and names a bad path pattern", () => {
    const fixed = [{ method: "POST" as const, pathPattern: "/search$", limit: 5, windowMs: 1000 }];
    expect(defineProvider({ ...spec, rateLimit: { windowMs: 10_000, fixed } }).rateLimit?.fixed).toEqual(
      fixed,
    );
    expect(() =>
      defineProvider({ ...spec, rateLimit: { fixed: [{ ...fixed[0]!, pathPattern: "/search(" }] } }),
    ).toThrow('Provider "acme" is not a valid declaration: rateLimit.fixed.0.pathPattern: must be a valid');
  });

  it("rejects a provider with a bad base URL or two streams of one name", () => {
    expect(() => defineProvider({ ...spec, baseUrl: "api.acme.example" })).toThrow(
      'Provider "acme" is not a valid declaration: baseUrl: must be an http(s) URL',
    );
    expect(() => defineProvider({ ...spec, streams: [users, users] })).toThrow(
      'Provider "acme" declares stream "users" twice.',
    );
  });
});
