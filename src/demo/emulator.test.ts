import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/index.ts";
import { DEFAULT_EMULATOR_PORT, demoEmulatorPort } from "./emulator.ts";

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
