import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../core/index.ts";
import { stopTimeoutMs, watchStopSignals } from "./stop-signal.ts";

describe("watchStopSignals", () => {
  afterEach(() => {
    process.removeAllListeners("SIGTERM");
    process.removeAllListeners("SIGINT");
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("resolves on the first signal; a second one exits at once", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const exits: (number | undefined)[] = [];
    const stop = watchStopSignals("worker", 60_000, (code) => exits.push(code));
    process.emit("SIGTERM", "SIGTERM");
    expect(await stop.received).toBe("SIGTERM");
    expect(exits).toEqual([]);
    process.emit("SIGINT", "SIGINT");
    expect(exits).toEqual([1]);
  });

  it("exits 1 when the graceful stop outlasts the timeout, and not once it is done", async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((line) => lines.push(String(line)) > 0);
    const exits: (number | undefined)[] = [];
    const slow = watchStopSignals("worker", 5_000, (code) => exits.push(code));
    process.emit("SIGTERM", "SIGTERM");
    await slow.received;
    vi.advanceTimersByTime(5_001);
    expect(exits).toEqual([1]);
    expect(lines.join("")).toContain("the graceful stop took over 5000 ms");

    process.removeAllListeners("SIGTERM");
    process.removeAllListeners("SIGINT");
    const quick = watchStopSignals("server", 5_000, (code) => exits.push(code));
    process.emit("SIGTERM", "SIGTERM");
    await quick.received;
    quick.stopped();
    // Past the deadline, only the drain guard fires (a process whose loop drained would be gone by then).
    vi.advanceTimersByTime(10_000);
    expect(exits).toEqual([1, undefined]);
    expect(lines.join("")).toContain("still held the process open");
  });

  it("checks SWITCHYARD_STOP_TIMEOUT_MS", () => {
    expect(stopTimeoutMs({})).toBe(60_000);
    expect(stopTimeoutMs({ SWITCHYARD_STOP_TIMEOUT_MS: "2500" })).toBe(2_500);
    expect(() => stopTimeoutMs({ SWITCHYARD_STOP_TIMEOUT_MS: "soon" })).toThrow(ConfigError);
    expect(() => stopTimeoutMs({ SWITCHYARD_STOP_TIMEOUT_MS: "10" })).toThrow(/1000 or more/);
  });
});
