/**
 * CLI: runs the HubSpot emulator in its own process (for benchmarks and the demo), on the kit's command.
 *   tsx src/providers/hubspot/emulator/main.ts --port 4010 --contacts 200000 --seed 7
 * Prints one JSON line `{"event":"listening","url":...}` once it accepts connections; stops on SIGINT/SIGTERM.
 */
import { defined, runEmulatorCli } from "../../../emulator/cli.ts";
import { DEFAULT_RATE_LIMIT } from "./rate-limit.ts";
import { startHubSpotEmulator } from "./server.ts";

await runEmulatorCli({
  command: "tsx src/providers/hubspot/emulator/main.ts",
  defaultPort: 4010,
  flags: {
    contacts: { type: "string" },
    companies: { type: "string" },
    deals: { type: "string" },
    owners: { type: "string" },
    "rate-limit-max": { type: "string" },
    "rate-limit-interval-ms": { type: "string" },
    "rate-limit-daily": { type: "string" },
    "search-per-second": { type: "string" },
  },
  usage: `[--contacts N] [--companies N] [--deals N] [--owners 8]
  [--rate-limit-max ${DEFAULT_RATE_LIMIT.maxPerInterval}] [--rate-limit-interval-ms ${DEFAULT_RATE_LIMIT.intervalMs}]
  [--rate-limit-daily ${DEFAULT_RATE_LIMIT.daily}] [--search-per-second ${DEFAULT_RATE_LIMIT.searchPerSecond}]`,
  start: (args) =>
    startHubSpotEmulator({
      port: args.port,
      host: args.host,
      ...defined({ seed: args.seed, owners: args.number("owners") }),
      counts: defined({
        contacts: args.number("contacts"),
        companies: args.number("companies"),
        deals: args.number("deals"),
      }),
      ...(args.tokens ? { tokens: args.tokens } : {}),
      rateLimit: defined({
        maxPerInterval: args.number("rate-limit-max"),
        intervalMs: args.number("rate-limit-interval-ms"),
        daily: args.number("rate-limit-daily"),
        searchPerSecond: args.number("search-per-second"),
      }),
      faults: args.faults,
    }),
});
