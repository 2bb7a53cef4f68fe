/**
 * Which process holds a run: its host, pid, and the start time the OS gives that pid. A process on the same
 * host can then tell at once that the holder is gone — no such pid, or the pid now belongs to a newer
 * process (containers reuse pid 1 on every restart) — instead of waiting for its lease to expire.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { RunHolder } from "../store/index.ts";

/**
 * When the process with this pid started, in clock ticks since boot (Linux: field 22 of /proc/<pid>/stat);
 * null where the OS does not tell (then only the pid is checked).
 */
function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (the command name, in parentheses) may hold spaces: count the fields after its last ")".
    const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return afterName[19] ?? null;
  } catch {
    return null;
  }
}

let self: RunHolder | undefined;

/** This process, as lease rows name it. */
export function thisProcess(): RunHolder {
  self ??= { host: hostname(), pid: process.pid, started: processStartTicks(process.pid) };
  return self;
}

/**
 * True only when the holder is surely gone: it ran on this host, and its pid no longer exists or now
 * belongs to a process started at another time. A holder on another host is never judged here (its lease
 * expires instead).
 */
export function isHolderGone(holder: RunHolder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the pid exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  if (holder.started === null) return false;
  const started = processStartTicks(holder.pid);
  return started !== null && started !== holder.started;
}
