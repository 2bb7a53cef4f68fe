/**
 * CLI: runs the Pipedrive emulator in its own process, on the kit's command.
 *   tsx src/providers/pipedrive/emulator/main.ts --port 4030 --persons 5000 --seed 7
 * Prints one JSON line `{"event":"listening","url":...}` once it accepts connections; stops on SIGINT/SIGTERM.
 */
import { defined, runEmulatorCli } from "../../../emulator/index.ts";
import { DEFAULT_RATE_LIMIT, startPipedriveEmulator } from "./server.ts";

const COUNTED = ["persons", "organizations", "deals", "activities", "users"] as const;
const STRING = { type: "string" } as const;

await runEmulatorCli({
  command: "tsx src/providers/pipedrive/emulator/main.ts",
  defaultPort: 4030,
  flags: Object.fromEntries(
    [...COUNTED, "rate-limit-burst", "rate-limit-daily"].map((flag) => [flag, STRING]),
  ),
  usage: `[--persons N] [--organizations N] [--deals N] [--activities N] [--users N]
  [--rate-limit-burst ${DEFAULT_RATE_LIMIT.perTwoSeconds}] [--rate-limit-daily ${DEFAULT_RATE_LIMIT.daily}]`,
  start: (args) =>
    startPipedriveEmulator({
      port: args.port,
      host: args.host,
      ...defined({ seed: args.seed }),
      counts: defined(Object.fromEntries(COUNTED.map((flag) => [flag, args.number(flag)]))),
      ...(args.tokens ? { tokens: args.tokens } : {}),
      rateLimit: defined({
        perTwoSeconds: args.number("rate-limit-burst"),
        daily: args.number("rate-limit-daily"),
      }),
      faults: args.faults,
    }),
});
