/**
 * How the long-running commands (`switchyard server`, `switchyard worker`) stop, so that a supervisor's
 * SIGTERM, `kill` in a shell or Ctrl-C always ends the process:
 * - the first SIGTERM or SIGINT starts the graceful stop (a worker's runs stop at their next checkpoint);
 * - a second one, or a graceful stop that takes longer than SWITCHYARD_STOP_TIMEOUT_MS (default 60 s), exits
 *   at once with code 1: what a run had not committed is redone from its last checkpoint, as after a crash;
 * - once the graceful stop is done the process exits, even if a library left a socket or timer open (a
 *   pooled connection a stopped job runner never gave back would otherwise keep it alive for good); the
 *   line it prints names what was still open.
 */
import { ConfigError } from "../core/index.ts";

const DEFAULT_STOP_TIMEOUT_MS = 60_000;
/** How long a stopped process may take to drain its event loop before it is ended anyway. */
const DRAIN_MS = 3_000;

export interface StopSignals {
  /** Resolves on the first SIGTERM or SIGINT. */
  received: Promise<NodeJS.Signals>;
  /** The graceful stop is done: the process ends once its event loop drains, or after DRAIN_MS regardless. */
  stopped(): void;
}

/** SWITCHYARD_STOP_TIMEOUT_MS, checked (a ConfigError names a bad value). */
export function stopTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.SWITCHYARD_STOP_TIMEOUT_MS;
  if (value === undefined || value === "") return DEFAULT_STOP_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1_000)
    throw new ConfigError(
      `SWITCHYARD_STOP_TIMEOUT_MS must be a whole number of milliseconds, 1000 or more, not "${value}".`,
      "Unset it for the default (60000: a stop that takes longer than a minute ends the process).",
    );
  return ms;
}

/** Watches for the stop signals; call it once the process is ready to stop gracefully. */
export function watchStopSignals(
  command: string,
  timeoutMs = stopTimeoutMs(),
  exit: (code?: number) => void = process.exit,
): StopSignals {
  let deadline: NodeJS.Timeout | undefined;
  const say = (line: string) => process.stderr.write(`switchyard ${command}: ${line}\n`);
  const again = (signal: NodeJS.Signals) => {
    say(`${signal} again: exiting now; unfinished runs resume from their last checkpoint.`);
    exit(1);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", first);
      process.off("SIGINT", first);
      process.once("SIGTERM", again);
      process.once("SIGINT", again);
      deadline = setTimeout(() => {
        say(
          `the graceful stop took over ${timeoutMs} ms (SWITCHYARD_STOP_TIMEOUT_MS); exiting now, still open: ${openResources()}.`,
        );
        exit(1);
      }, timeoutMs).unref();
      resolve(signal);
    };
    process.once("SIGTERM", first);
    process.once("SIGINT", first);
  });
  return {
    received,
    stopped() {
      clearTimeout(deadline);
      // Unreferenced: it fires only if something else still holds the event loop.
      setTimeout(() => {
        say(`stopped, but ${openResources()} still held the process open after ${DRAIN_MS} ms; exiting.`);
        exit();
      }, DRAIN_MS).unref();
    },
  };
}

/** What keeps the event loop alive, by kind ("TCPSocketWrap × 2"), timers aside. */
function openResources(): string {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo())
    if (kind !== "Timeout") counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => (n > 1 ? `${kind} × ${n}` : kind)).join(", ") || "nothing";
}
