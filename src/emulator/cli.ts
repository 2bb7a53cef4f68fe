/**
 * The standalone command every provider's emulator `main.ts` reuses: the kit's flags (port, host, seed,
 * tokens, fault knobs), the provider's own, a clear line for a bad number or a taken port, one JSON line
 * `{"event":"listening","url":...,"tokens":[...]}` once it accepts connections, and a clean stop on
 * SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import type { FaultSettings } from "./faults.ts";

type FlagSpec = { type: "string"; multiple?: boolean } | { type: "boolean" };

/** What the kit parsed, handed to the provider's `start`. */
export interface CliArgs {
  port: number;
  host: string;
  seed: number | undefined;
  /** `--token` values; undefined when none were given (the provider's default applies). */
  tokens: string[] | undefined;
  /** The fault knobs given on the command line (absent ones left out). */
  faults: FaultSettings;
  /** A provider flag as a number (undefined when absent); a non-number exits with a clear line. */
  number(flag: string): number | undefined;
  /** A provider flag as given. */
  value(flag: string): string | boolean | string[] | undefined;
}

export interface EmulatorCliSpec {
  /** How the command is typed, for `--help` (e.g. `tsx src/providers/acme/emulator/main.ts`). */
  command: string;
  defaultPort: number;
  /** The provider's own flags, beyond the kit's. */
  flags?: Record<string, FlagSpec>;
  /** Usage of the provider's flags, one line or more (e.g. `[--contacts N] [--deals N]`). */
  usage?: string;
  /** Starts the emulator; rejects with code EADDRINUSE when the port is taken. */
  start(args: CliArgs): Promise<{ url: string; tokens: readonly string[]; close(): Promise<void> }>;
}

const KIT_FLAGS = {
  port: { type: "string" },
  host: { type: "string", default: "127.0.0.1" },
  seed: { type: "string" },
  token: { type: "string", multiple: true },
  "latency-ms": { type: "string" },
  "rate-429": { type: "string" },
  "rate-5xx": { type: "string" },
  "drop-rate": { type: "string" },
  "malformed-rate": { type: "string" },
  "html-rate": { type: "string" },
  "token-expires-after": { type: "string" },
  help: { type: "boolean", default: false },
} as const;

const FAULT_FLAGS = {
  "latency-ms": "latencyMs",
  "rate-429": "rate429",
  "rate-5xx": "rate5xx",
  "drop-rate": "dropRate",
  "malformed-rate": "malformedRate",
  "html-rate": "htmlRate",
  "token-expires-after": "tokenExpiresAfter",
} as const satisfies Record<string, keyof FaultSettings>;

/** Drops undefined entries, so the emulator's defaults apply to what was not given. */
export function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `value` as one of `names`; throws naming them otherwise (`what` says whose names they are). */
export function oneOf<Name extends string>(names: readonly Name[], value: string, what: string): Name {
  if (!(names as readonly string[]).includes(value))
    throw new Error(`${what} has no "${value}"; it has ${names.join(", ")}.`);
  return value as Name;
}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Runs the command: parses `argv`, starts the emulator, prints where it listens, and stops on a signal. */
export async function runEmulatorCli(spec: EmulatorCliSpec, argv = process.argv.slice(2)): Promise<void> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({ args: argv, options: { ...KIT_FLAGS, ...spec.flags }, strict: true }).values;
  } catch (error) {
    fail(`${(error as Error).message} (see --help)`, 2);
  }
  if (values.help) {
    process.stdout.write(
      `Usage: ${spec.command} [--port ${spec.defaultPort}] [--host 127.0.0.1] [--seed N] [--token T ...]
  ${spec.usage ? `${spec.usage}\n  ` : ""}[--latency-ms 0] [--rate-429 0] [--rate-5xx 0] [--drop-rate 0] [--malformed-rate 0] [--html-rate 0]
  [--token-expires-after N]
`,
    );
    process.exit(0);
  }
  const number = (flag: string): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const parsed = Number(raw);
    if (typeof raw !== "string" || !Number.isFinite(parsed))
      fail(`--${flag} must be a number, got "${raw}"`, 2);
    return parsed;
  };
  const port = number("port") ?? spec.defaultPort;
  const host = values.host as string;
  const faults = defined(
    Object.fromEntries(Object.entries(FAULT_FLAGS).map(([flag, knob]) => [knob, number(flag)])),
  ) as FaultSettings;
  const emulator = await spec
    .start({
      port,
      host,
      seed: number("seed"),
      tokens: values.token as string[] | undefined,
      faults,
      number,
      value: (flag) => values[flag],
    })
    .catch((error: unknown) => {
      const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
      if (issues) {
        // A knob out of range (a rate above 1…): name the setting, not a stack.
        fail(issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "), 2);
      }
      if ((error as { code?: string }).code !== "EADDRINUSE") throw error;
      fail(
        `Port ${port} on ${host} is taken (another emulator, or \`npm start\`?). Stop it, or pass another --port (0 picks a free one).`,
        1,
      );
    });
  process.stdout.write(
    `${JSON.stringify({ event: "listening", url: emulator.url, tokens: emulator.tokens })}\n`,
  );
  const stop = async () => {
    await emulator.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
