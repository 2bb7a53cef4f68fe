/**
 * The tiny emulator as a command, on the kit's CLI:
 *   npx tsx docs/examples/tiny-emulator-main.ts --port 4020 --people 500 --rate-429 0.1
 */
import { defined, runEmulatorCli } from "../../src/emulator/index.ts";
import { startAcmeEmulator } from "./tiny-emulator.ts";

await runEmulatorCli({
  command: "tsx docs/examples/tiny-emulator-main.ts",
  defaultPort: 4020,
  flags: { people: { type: "string" } },
  usage: "[--people 100]",
  start: (args) =>
    startAcmeEmulator({
      port: args.port,
      host: args.host,
      faults: args.faults,
      ...defined({ seed: args.seed, people: args.number("people"), tokens: args.tokens }),
    }),
});
