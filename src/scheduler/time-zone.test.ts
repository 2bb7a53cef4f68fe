import { describe, expect, it } from "vitest";
import { SwitchyardError } from "../core/index.ts";
import { nextRunAfter, parseFrequency } from "./frequency.ts";
import { formatInTimeZone, parseTimeZone } from "./time-zone.ts";

describe("time zones of cron schedules", () => {
  it("reads a cron expression in the sync's IANA zone, daylight saving included", () => {
    const weekdaysAtNine = parseFrequency("0 9 * * MON-FRI", "America/New_York");
    // Monday 2 June 2025: New York is on EDT (UTC-4), so 09:00 there is 13:00 UTC.
    expect(nextRunAfter(weekdaysAtNine, new Date("2025-06-02T00:00:00Z"))?.toISOString()).toBe(
      "2025-06-02T13:00:00.000Z",
    );
    // Monday 1 December 2025: EST (UTC-5), so 14:00 UTC.
    expect(nextRunAfter(weekdaysAtNine, new Date("2025-12-01T00:00:00Z"))?.toISOString()).toBe(
      "2025-12-01T14:00:00.000Z",
    );
    // Without a zone the same expression is UTC.
    expect(
      nextRunAfter(parseFrequency("0 9 * * MON-FRI"), new Date("2025-06-02T00:00:00Z"))?.toISOString(),
    ).toBe("2025-06-02T09:00:00.000Z");
  });

  it("canonicalises zone names and refuses unknown zones and bare offsets, saying what to write", () => {
    expect(parseTimeZone("europe/paris")).toBe("Europe/Paris");
    expect(parseTimeZone("UTC")).toBe("UTC");
    for (const bad of ["Mars/Olympus_Mons", "+02:00", "", "Europe/"]) {
      let caught: unknown;
      try {
        parseTimeZone(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SwitchyardError);
      expect(caught).toMatchObject({
        code: "argument_invalid",
        message: `Time zone "${bad}" is not an IANA time zone.`,
        hint: expect.stringContaining("Europe/Paris"),
      });
    }
  });

  it("shows an instant as the zone's local time with its offset", () => {
    const instant = new Date("2025-06-02T13:00:00Z");
    expect(formatInTimeZone(instant, "America/New_York")).toBe("2025-06-02T09:00:00-04:00");
    expect(formatInTimeZone(instant, "Asia/Kolkata")).toBe("2025-06-02T18:30:00+05:30");
    expect(formatInTimeZone(instant, "UTC")).toBe("2025-06-02T13:00:00+00:00");
    expect(formatInTimeZone(new Date("2025-12-31T23:30:00Z"), "Europe/Paris")).toBe(
      "2026-01-01T00:30:00+01:00",
    );
  });
});
