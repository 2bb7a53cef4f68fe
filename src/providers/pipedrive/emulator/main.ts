/**
 * CLI: runs the Pipedrive emulator in its own process, on the kit's command.
 *   tsx src/providers/pipedrive/emulator/main.ts --port 4030 --persons 5000 --seed 7
 * Prints one JSON line `{"event":"listening","url":...}` once it accepts connections; stops on SIGINT/SIGTERM.
 */
import { defined, runEmulatorCli } from "../../../emulator/index.ts";
import { DEFAULT_RATE_LIMIT, startPipedriveEmulator } from "./server.ts";

await runEmulatorCli({
  command: "tsx src/providers/pipedrive/emulator/main.ts",
  defaultPort: 4030,
  flags: {
    persons: { type: "string" },
    organizations: { type: "string" },
    deals: { type: "string" },
    activities: { type: "string" },
    users: { type: "string" },
    "rate-limit-burst": { type: "string" },
    "rate-limit-daily": { type: "string" },
  },
  usage: `[--persons N] [--organizations N] [--deals N] [--activities N] [--users N]
  [--rate-limit-burst ${DEFAULT_RATE_LIMIT.perTwoSeconds}] [--rate-limit-daily ${DEFAULT_RATE_LIMIT.daily}]`,
  start: (args) =>
    startPipedriveEmulator({
      port: args.port,
      host: args.host,
      ...defined({ seed: args.seed }),
      counts: defined({
        persons: args.number("persons"),
        organizations: args.number("organizations"),
        deals: args.number("deals"),
        activities: args.number("activities"),
        users: args.number("users"),
      }),
      ...(args.tokens ? { tokens: args.tokens } : {}),
      rateLimit: defined({
        perTwoSeconds: args.number("rate-limit-burst"),
        daily: args.number("rate-limit-daily"),
      }),
      faults: args.faults,
    }),
});
