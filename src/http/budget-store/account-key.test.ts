import { describe, expect, it } from "vitest";
import { providerAccountKey } from "./account-key.ts";

const base = { provider: "hubspot", baseUrl: "https://api.hubapi.com" };

describe("providerAccountKey", () => {
  it("gives two connections with the same token on the same API one key, without the secret in it", () => {
    const credentials = { type: "bearer" as const, token: "pat-na1-secret" };
    const first = providerAccountKey({ ...base, credentials, connectionId: "conn_1" });
    expect(providerAccountKey({ ...base, credentials, connectionId: "conn_2" })).toBe(first);
    expect(first).toMatch(/^hubspot:account:[0-9a-f]{24}$/);
    expect(first).not.toContain("secret");
  });

  it("tells accounts apart by credential and by base URL", () => {
    const key = (token: string, baseUrl = base.baseUrl) =>
      providerAccountKey({ ...base, baseUrl, credentials: { type: "bearer", token }, connectionId: "c" });
    expect(key("a")).not.toBe(key("b"));
    expect(key("a")).not.toBe(key("a", "http://127.0.0.1:4010"));
  });

  it("prefers the provider's account id, and falls back to the connection for OAuth2 without one", () => {
    const oauth = { type: "oauth2" as const, accessToken: "at-1" };
    const byId = (accessToken: string, connectionId: string) =>
      providerAccountKey({
        ...base,
        credentials: { ...oauth, accessToken },
        connectionId,
        accountId: "portal-7",
      });
    expect(byId("at-1", "conn_1")).toBe(byId("at-2", "conn_2"));
    expect(providerAccountKey({ ...base, credentials: oauth, connectionId: "conn_1" })).toBe(
      "hubspot:connection:conn_1",
    );
  });
});
