/** The Merge-compatible routes in the OpenAPI document: Merge's paths, both auth headers, `{detail}` errors, the models. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "../openapi.ts";
import type { AnyRoute } from "../route.ts";
import { type Harness, startHarness } from "../test-harness.ts";
import { mergeCrmRoutes } from "./index.ts";

type Operation = {
  operationId: string;
  security: unknown[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
};
let h: Harness;
let doc: {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

beforeAll(async () => {
  h = await startHarness();
  doc = (await h.app.inject({ url: "/openapi.json" })).json();
});
afterAll(async () => {
  await h.close();
});

describe("OpenAPI document of the unified CRM API", () => {
  it("lists every Merge-compatible route with its auth and {detail} error body", () => {
    for (const route of mergeCrmRoutes as readonly AnyRoute[]) {
      const operation = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url}`).toBeDefined();
      expect(operation?.operationId).toBe(route.name);
      expect(operation?.security).toEqual(
        route.auth === "account_token" ? [{ apiKey: [], accountToken: [] }] : [{ apiKey: [] }],
      );
      const unauthorized = operation?.responses["401"]?.content ?? {};
      expect(Object.keys(unauthorized)).toEqual(["application/json"]);
      expect(JSON.stringify(unauthorized)).toContain("crm.DetailErrorResponse");
    }
    expect(doc.paths["/api/crm/v1/contacts/{id}"]?.get?.operationId).toBe("contactsRetrieve");
  });

  it("publishes the Common Models and the account token header", () => {
    for (const name of ["crm.Contact", "crm.Account", "crm.Opportunity", "crm.User", "crm.Stage"]) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    expect(doc.components.securitySchemes.accountToken).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "X-Account-Token",
    });
  });
});
