import { describe, expect, it } from "vitest";
import { ConfigError, type ProviderDefinition } from "../core/index.ts";
import {
  DEFAULT_EMULATOR_PORT,
  demoEmulatorPort,
  demoEmulatorPorts,
  demoProviders,
  demoToken,
} from "./emulator.ts";

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

describe("the demo's providers", () => {
  const provider = (name: string, withEmulator: boolean, pattern?: string) =>
    ({
      name,
      displayName: name,
      auth: { type: "api_key", in: "header", name: "x-key" },
      ...(pattern ? { credentialFields: [{ name: "key", label: "Key", type: "secret", pattern }] } : {}),
      ...(withEmulator ? { emulator: async () => Promise.reject(new Error("not started here")) } : {}),
    }) as unknown as ProviderDefinition;
  const registry = {
    plain: provider("plain", false),
    first: provider("first", true),
    second: provider("second", true),
    third: provider("third", true, "[0-9a-f]{40}"),
  };
  const names = (list: readonly ProviderDefinition[]) => list.map((p) => p.name);

  it("are every registered provider that declares an emulator, or those SWITCHYARD_DEMO_PROVIDERS names", () => {
    expect(names(demoProviders(registry, {}))).toEqual(["first", "second", "third"]);
    expect(names(demoProviders(registry, { SWITCHYARD_DEMO_PROVIDERS: "third, first" }))).toEqual([
      "first",
      "third",
    ]);
    // The one-name setting of earlier versions still works.
    expect(names(demoProviders(registry, { SWITCHYARD_DEMO_PROVIDER: "second" }))).toEqual(["second"]);
  });

  it("refuses a provider without an emulator, naming the ones that have one", () => {
    expect(() => demoProviders(registry, { SWITCHYARD_DEMO_PROVIDERS: "first,plain" })).toThrow(ConfigError);
    expect(() => demoProviders(registry, { SWITCHYARD_DEMO_PROVIDERS: "first,plain" })).toThrow(
      /SWITCHYARD_DEMO_PROVIDERS names "plain", not a provider with an emulator/,
    );
    expect(() => demoProviders({ plain: registry.plain }, {})).toThrow(
      /No registered provider declares an emulator/,
    );
  });

  it("each keep their port whichever subset runs: the first port plus their place in the registry", () => {
    const two = demoProviders(registry, { SWITCHYARD_DEMO_PROVIDERS: "third" });
    expect([...demoEmulatorPorts(two, registry, 3001)]).toEqual([["third", 3003]]);
    expect([...demoEmulatorPorts(demoProviders(registry, {}), registry, 0)]).toEqual([
      ["first", 0],
      ["second", 0],
      ["third", 0],
    ]);
    expect(() => demoEmulatorPorts(two, registry, 65_535)).toThrow(/leaves no port for the third emulator/);
  });

  it("accept the docs' token only where it fits the provider's token format", () => {
    expect(demoToken(registry.first, "pat-demo")).toBe("pat-demo");
    expect(demoToken(registry.third, "pat-demo")).toBeUndefined();
    expect(demoToken(registry.third, "a".repeat(40))).toBe("a".repeat(40));
  });
});
