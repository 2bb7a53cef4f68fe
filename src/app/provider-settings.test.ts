import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/index.ts";
import { providers } from "../providers/registry.ts";
import { providerSettingsFromEnv } from "./provider-settings.ts";

describe("providerSettingsFromEnv", () => {
  it("reads an OAuth app from SWITCHYARD_<PROVIDER>_CLIENT_ID and _CLIENT_SECRET", () => {
    const settings = providerSettingsFromEnv(providers, {
      SWITCHYARD_HUBSPOT_CLIENT_ID: "client-1",
      SWITCHYARD_HUBSPOT_CLIENT_SECRET: "secret-1",
    });
    expect(settings.hubspot).toEqual({ oauth2: { clientId: "client-1", clientSecret: "secret-1" } });
    expect(providerSettingsFromEnv(providers, {})).toEqual({});
  });

  it("refuses half an app instead of silently ignoring it", () => {
    const halfApp = () => providerSettingsFromEnv(providers, { SWITCHYARD_HUBSPOT_CLIENT_ID: "client-1" });
    expect(halfApp).toThrow(ConfigError);
    expect(halfApp).toThrow(
      "SWITCHYARD_HUBSPOT_CLIENT_ID is set but SWITCHYARD_HUBSPOT_CLIENT_SECRET is not.",
    );
    expect(() => providerSettingsFromEnv(providers, { SWITCHYARD_HUBSPOT_CLIENT_SECRET: "s" })).toThrow(
      /SWITCHYARD_HUBSPOT_CLIENT_SECRET is set but SWITCHYARD_HUBSPOT_CLIENT_ID is not/,
    );
  });
});
