/**
 * CLI: runs the HubSpot emulator in its own process (for benchmarks and the demo).
 *   tsx src/providers/hubspot/emulator/main.ts --port 4010 --contacts 200000 --seed 7
 * Prints one JSON line `{"event":"listening","url":...}` once it accepts connections; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { DEFAULT_RATE_LIMIT } from "./rate-limit.ts";
import { startHubSpotEmulator } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    seed: { type: "string" },
    contacts: { type: "string" },
    companies: { type: "string" },
    deals: { type: "string" },
    owners: { type: "string" },
    token: { type: "string", multiple: true },
    "rate-limit-max": { type: "string" },
    "rate-limit-interval-ms": { type: "string" },
    "rate-limit-daily": { type: "string" },
    "search-per-second": { type: "string" },
    "latency-ms": { type: "string" },
    "rate-429": { type: "string" },
    "rate-5xx": { type: "string" },
    "drop-rate": { type: "string" },
    "malformed-rate": { type: "string" },
    "html-rate": { type: "string" },
    help: { type: "boolean", default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(
    `Usage: tsx src/providers/hubspot/emulator/main.ts [--port 4010] [--host 127.0.0.1] [--seed 42]
  [--contacts N] [--companies N] [--deals N] [--owners 8] [--token T ...]
  [--rate-limit-max ${DEFAULT_RATE_LIMIT.maxPerInterval}] [--rate-limit-interval-ms ${DEFAULT_RATE_LIMIT.intervalMs}]
  [--rate-limit-daily ${DEFAULT_RATE_LIMIT.daily}] [--search-per-second ${DEFAULT_RATE_LIMIT.searchPerSecond}]
  [--latency-ms 0] [--rate-429 0] [--rate-5xx 0] [--drop-rate 0] [--malformed-rate 0] [--html-rate 0]
`,
  );
  process.exit(0);
}

/** A numeric flag, or a clear exit when it is not a number. */
function num(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    process.stderr.write(`--${name} must be a number, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

/** Drops undefined entries so defaults apply. */
function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

const port = num("port", values.port) ?? 4010;
const emulator = await startHubSpotEmulator({
  port,
  host: values.host,
  ...defined({ seed: num("seed", values.seed), owners: num("owners", values.owners) }),
  counts: defined({
    contacts: num("contacts", values.contacts),
    companies: num("companies", values.companies),
    deals: num("deals", values.deals),
  }),
  ...(values.token ? { tokens: values.token } : {}),
  rateLimit: defined({
    maxPerInterval: num("rate-limit-max", values["rate-limit-max"]),
    intervalMs: num("rate-limit-interval-ms", values["rate-limit-interval-ms"]),
    daily: num("rate-limit-daily", values["rate-limit-daily"]),
    searchPerSecond: num("search-per-second", values["search-per-second"]),
  }),
  faults: defined({
    latencyMs: num("latency-ms", values["latency-ms"]),
    rate429: num("rate-429", values["rate-429"]),
    rate5xx: num("rate-5xx", values["rate-5xx"]),
    dropRate: num("drop-rate", values["drop-rate"]),
    malformedRate: num("malformed-rate", values["malformed-rate"]),
    htmlRate: num("html-rate", values["html-rate"]),
  }),
}).catch((error: unknown) => {
  if ((error as { code?: string }).code !== "EADDRINUSE") throw error;
  process.stderr.write(
    `Port ${port} on ${values.host} is taken (another emulator, or \`npm start\`?). Stop it, or pass another --port (0 picks a free one).\n`,
  );
  process.exit(1);
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
