import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { isHolderGone, thisProcess } from "./run-holder.ts";

describe("telling a dead run holder", () => {
  it("this process is alive; a pid with no process is gone; another host is never judged", () => {
    const me = thisProcess();
    expect(me).toMatchObject({ host: hostname(), pid: process.pid });
    expect(isHolderGone(me)).toBe(false);
    const exited = spawnSync(process.execPath, ["-e", ""]).pid;
    expect(isHolderGone({ host: hostname(), pid: exited, started: null })).toBe(true);
    expect(isHolderGone({ host: `not-${hostname()}`, pid: exited, started: null })).toBe(false);
  });

  it.runIf(existsSync("/proc/self/stat"))(
    "a pid now used by a process started at another time (a container's pid 1 after a restart) is gone",
    () => {
      const me = thisProcess();
      expect(me.started).toMatch(/^\d+$/);
      expect(isHolderGone({ ...me, started: String(Number(me.started) - 1) })).toBe(true);
    },
  );
});
