import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../core/index.ts";
import { nextRunAfter, parseFrequency } from "./frequency.ts";

function errorOf(text: string): SwitchyardError {
  try {
    parseFrequency(text);
  } catch (error) {
    if (error instanceof SwitchyardError) return error;
    throw error;
  }
  throw new Error(`"${text}" was accepted`);
}

describe("frequency", () => {
  it("parses intervals with units, combined units included", () => {
    expect(parseFrequency("30s")).toMatchObject({ kind: "interval", ms: 30_000 });
    expect(parseFrequency("15m")).toMatchObject({ kind: "interval", ms: 900_000 });
    expect(parseFrequency("1h30m")).toMatchObject({ kind: "interval", ms: 5_400_000 });
    expect(parseFrequency("1d")).toMatchObject({ kind: "interval", ms: 86_400_000 });
  });

  it("rejects intervals under 30 s, unitless numbers, and intervals over a year, saying what to write", () => {
    expect(errorOf("29s")).toMatchObject({
      code: "argument_invalid",
      message: expect.stringContaining("30 seconds"),
    });
    expect(errorOf("0s").code).toBe("argument_invalid");
    expect(errorOf("60")).toMatchObject({
      message: expect.stringContaining("no unit"),
      hint: expect.stringContaining('"60s"'),
    });
    expect(errorOf("400d").message).toContain("longer than a year");
  });

  it("parses 5-field cron expressions and nicknames, evaluated in UTC", () => {
    const from = new Date("2025-03-01T10:07:12Z");
    expect(nextRunAfter(parseFrequency("*/15 * * * *"), from)?.toISOString()).toBe(
      "2025-03-01T10:15:00.000Z",
    );
    expect(nextRunAfter(parseFrequency("0 6 * * MON-FRI"), from)?.toISOString()).toBe(
      "2025-03-03T06:00:00.000Z",
    );
    expect(nextRunAfter(parseFrequency("@daily"), from)?.toISOString()).toBe("2025-03-02T00:00:00.000Z");
  });

  it("rejects bad cron: wrong field count, seconds field, out-of-range values, never-matching dates", () => {
    expect(errorOf("every hour")).toMatchObject({
      code: "argument_invalid",
      message: expect.stringContaining("neither an interval nor a valid cron"),
      hint: expect.stringContaining("*/15 * * * *"),
    });
    expect(errorOf("* * * * * *").message).toContain("5 parts");
    expect(errorOf("61 * * * *").message).toContain("minute");
    expect(errorOf("0 0 30 2 *").message).toContain("never matches");
  });

  it("computes the next run from the given time, never a missed slot", () => {
    const startedAfterDowntime = new Date("2025-03-01T12:00:05Z");
    expect(nextRunAfter(parseFrequency("1m"), startedAfterDowntime)?.toISOString()).toBe(
      "2025-03-01T12:01:05.000Z",
    );
    expect(nextRunAfter(parseFrequency("0 * * * *"), startedAfterDowntime)?.toISOString()).toBe(
      "2025-03-01T13:00:00.000Z",
    );
  });
});
