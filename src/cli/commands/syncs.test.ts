import { describe, expect, it } from "vitest";
import { syncLine } from "./syncs.ts";

const sync = {
  id: "sync_1",
  connection_id: "conn_1",
  frequency: "0 9 * * MON-FRI",
  time_zone: "America/New_York" as string | null,
  enabled: true,
  next_run_at: "2025-06-02T13:00:00.000Z",
  next_run_at_local: "2025-06-02T09:00:00-04:00",
  streams: ["contacts", "deals"],
};

describe("syncs list", () => {
  it("shows a sync's next start as local time in its time zone, naming the zone", () => {
    expect(syncLine(sync)).toBe(
      "sync_1  conn_1  every 0 9 * * MON-FRI  next 2025-06-02T09:00:00-04:00 America/New_York  contacts,deals",
    );
  });

  it("shows UTC for a sync without a zone, and paused syncs as paused", () => {
    expect(syncLine({ ...sync, frequency: "1h", time_zone: null })).toBe(
      "sync_1  conn_1  every 1h      next 2025-06-02T13:00:00.000Z  contacts,deals",
    );
    expect(syncLine({ ...sync, enabled: false })).toContain("  paused  ");
  });
});
