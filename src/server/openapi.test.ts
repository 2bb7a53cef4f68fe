import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "./openapi.ts";
import { STATUS_BY_CODE } from "./problem.ts";
import { type AnyRoute, frameworkErrors } from "./route.ts";
import { apiRoutes } from "./routes/index.ts";
import { type Harness, startHarness } from "./test-harness.ts";

const routes = apiRoutes as readonly AnyRoute[];
let h: Harness;
let doc: {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        responses: Record<string, unknown>;
        security: unknown[];
        parameters?: { name: string; in: string }[];
        requestBody?: unknown;
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
};

beforeAll(async () => {
  h = await startHarness();
  const response = await h.app.inject({ url: "/openapi.json" });
  expect(response.statusCode).toBe(200);
  doc = response.json();
});
afterAll(async () => {
  await h.close();
});

/** Every `$ref` in a value. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === "$ref" && typeof inner === "string" ? [inner] : refs(inner),
  );
}

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(structuredClone(doc) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every registered route with its parameters, body, success and problem responses", () => {
    for (const route of routes) {
      const operation = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url}`).toBeDefined();
      expect(operation?.operationId).toBe(route.name);
      expect(operation?.security).toEqual(route.auth === "api_key" ? [{ apiKey: [] }] : []);
      for (const status of Object.keys(route.response)) expect(operation?.responses[status]).toBeDefined();
      for (const code of [...route.errors, ...frameworkErrors(route)]) {
        expect(operation?.responses[String(STATUS_BY_CODE[code])], `${route.name} ${code}`).toMatchObject({
          content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
        });
      }
      const names = (operation?.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      for (const name of Object.keys(route.params?.shape ?? {})) expect(names).toContain(`path:${name}`);
      for (const name of Object.keys(route.query?.shape ?? {})) expect(names).toContain(`query:${name}`);
      expect(operation?.requestBody !== undefined).toBe(route.body !== undefined);
    }
    const operationIds = routes.map((route) => route.name);
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it("has the shared schemas, and every reference resolves", () => {
    for (const name of [
      "Problem",
      "FieldIssue",
      "Connection",
      "Credentials",
      "EndUser",
      "Run",
      "RunStats",
      "LogLine",
      "ApiKey",
      "Environment",
      "Event",
    ]) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    for (const ref of refs(doc)) {
      expect(ref.startsWith("#/components/schemas/"), ref).toBe(true);
      expect(doc.components.schemas[ref.slice("#/components/schemas/".length)], ref).toBeDefined();
    }
    // Credentials are described as input only: no response schema references them.
    const connection = JSON.stringify(doc.components.schemas.Connection);
    expect(connection).not.toContain("Credentials");
  });

  it("has request examples that the route's own schema accepts", () => {
    for (const route of routes) {
      if (route.example?.body === undefined) continue;
      expect(route.body?.safeParse(route.example.body).success, route.name).toBe(true);
    }
  });
});

describe("reference page", () => {
  it("serves Swagger UI from the installed package, with no external URLs", async () => {
    const page = await h.app.inject({ url: "/docs" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).not.toMatch(/https?:\/\//);
    const sources = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const source of sources) {
      const asset = await h.app.inject({ url: source });
      expect(asset.statusCode, source).toBe(200);
      expect(asset.rawPayload.length, source).toBeGreaterThan(0);
    }
    const init = await h.app.inject({ url: "/docs/init.js" });
    expect(init.body).toContain('"/openapi.json"');
    expect(init.body).toContain("validatorUrl: null");
    const bundle = await h.app.inject({ url: "/docs/swagger-ui-bundle.js" });
    expect(bundle.headers["content-type"]).toMatch(/javascript/);
    expect(bundle.rawPayload.length).toBeGreaterThan(500_000);
  });
});
