/**
 * Child process: the Switchyard API as `npm start` serves it (the built `buildServer`, every route, API-key
 * and account-token auth, request logging at the default `info` level), over the store the seed filled, on
 * loopback. Two settings differ from `npm start`, both so that the load measures the read path:
 * - the per-key rate limit (1,000 requests a minute by default) is raised out of reach; its hook still runs;
 * - the log lines go to /dev/null instead of stdout (same pino writer, same work per line).
 *
 * Prints `{event: "listening", url}`. Usage: server.mjs <store-path>
 */
import "../../node_modules/.uab-dist/process-tuning.js";
import pino from "pino";
import { providers } from "../../node_modules/.uab-dist/providers/registry.js";
import { buildServer } from "../../node_modules/.uab-dist/server/app.js";
import { openStore } from "../../node_modules/.uab-dist/store/index.js";
import { generateVaultKey, parseVaultKey, Vault } from "../../node_modules/.uab-dist/vault/index.js";

const [storePath] = process.argv.slice(2);
if (!storePath) throw new Error("usage: server.mjs <store-path>");

const store = await openStore({ kind: "sqlite", path: storePath });
const app = buildServer(
  {
    db: store.db,
    vault: new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] }),
    providers,
    publicUrl: "http://127.0.0.1",
  },
  {
    rateLimit: { max: 1_000_000_000, windowMs: 60_000 },
    log: { stream: pino.destination({ dest: "/dev/null", sync: true }) },
  },
);
const url = await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ event: "listening", url })}\n`);
process.once("SIGTERM", async () => {
  await app.close();
  await store.close();
  process.exit(0);
});
