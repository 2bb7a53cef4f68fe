import { describe, expect, it } from "vitest";
import { ConfigError, type ProviderDefinition } from "../core/index.ts";
import { DEFAULT_EMULATOR_PORT, demoEmulatorPort, demoProvider } from "./emulator.ts";

describe("the demo emulator's port", () => {
  it("is fixed by default, next to the API's, so connections made against it survive a restart", () => {
    expect(DEFAULT_EMULATOR_PORT).toBe(3001);
    expect(demoEmulatorPort({})).toBe(3001);
    expect(demoEmulatorPort({ SWITCHYARD_EMULATOR_PORT: "4010" })).toBe(4010);
  });

  it("refuses a value that is not a port, naming the setting", () => {
    expect(() => demoEmulatorPort({ SWITCHYARD_EMULATOR_PORT: "http://x" })).toThrow(ConfigError);
    expect(() => demoEmulatorPort({ SWITCHYARD_EMULATOR_PORT: "70000" })).toThrow(
      /SWITCHYARD_EMULATOR_PORT "70000" is not a port number/,
    );
  });
});

describe("the demo's provider", () => {
  const provider = (name: string, withEmulator: boolean) =>
    ({
      name,
      displayName: name,
      ...(withEmulator ? { emulator: async () => Promise.reject(new Error("not started here")) } : {}),
    }) as unknown as ProviderDefinition;
  const registry = {
    plain: provider("plain", false),
    first: provider("first", true),
    second: provider("second", true),
  };

  it("is the first registered provider that declares an emulator, or the one SWITCHYARD_DEMO_PROVIDER names", () => {
    expect(demoProvider(registry, {}).name).toBe("first");
    expect(demoProvider(registry, { SWITCHYARD_DEMO_PROVIDER: "second" }).name).toBe("second");
  });

  it("refuses a provider without an emulator, naming the ones that have one", () => {
    expect(() => demoProvider(registry, { SWITCHYARD_DEMO_PROVIDER: "plain" })).toThrow(ConfigError);
    expect(() => demoProvider(registry, { SWITCHYARD_DEMO_PROVIDER: "plain" })).toThrow(
      /SWITCHYARD_DEMO_PROVIDER "plain" is not a provider with an emulator/,
    );
    expect(() => demoProvider({ plain: registry.plain }, {})).toThrow(
      /No registered provider declares an emulator/,
    );
  });
});
