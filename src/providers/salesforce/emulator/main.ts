/**
 * The Salesforce emulator as a command:
 *   npx tsx src/providers/salesforce/emulator/main.ts --port 4030 --contacts 5000 --rate-5xx 0.05
 * Prints `{"event":"listening","url":…,"tokens":[…]}`; point jsforce at `url` as its instanceUrl.
 */
import { defined, runEmulatorCli } from "../../../emulator/index.ts";
import { startSalesforceEmulator } from "./server.ts";

await runEmulatorCli({
  command: "tsx src/providers/salesforce/emulator/main.ts",
  defaultPort: 4030,
  flags: {
    accounts: { type: "string" },
    contacts: { type: "string" },
    opportunities: { type: "string" },
    users: { type: "string" },
    "daily-limit": { type: "string" },
  },
  usage: "[--accounts 60] [--contacts 250] [--opportunities 120] [--users 12] [--daily-limit 15000]",
  start: (args) => {
    const daily = args.number("daily-limit");
    return startSalesforceEmulator({
      port: args.port,
      host: args.host,
      faults: args.faults,
      size: defined({
        accounts: args.number("accounts"),
        contacts: args.number("contacts"),
        opportunities: args.number("opportunities"),
        users: args.number("users"),
      }),
      ...(daily !== undefined ? { rateLimit: { daily } } : {}),
      ...defined({ seed: args.seed, tokens: args.tokens }),
    });
  },
});
