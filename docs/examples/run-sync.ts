/**
 * Runs one sync from code: the HubSpot emulator as the provider, a records cache in a temp SQLite file,
 * and a DuckDB warehouse. `npx tsx docs/examples/run-sync.ts` prints the run and three rows.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { runSync } from "../../src/engine/index.ts";
import { startHubSpotEmulator } from "../../src/providers/hubspot/emulator/index.ts";
import { hubspot } from "../../src/providers/hubspot/index.ts";
import { createConnection, ensureEnvironment, openStore } from "../../src/store/index.ts";

const dir = mkdtempSync(join(tmpdir(), "switchyard-example-"));
const emulator = await startHubSpotEmulator({ counts: { contacts: 500, companies: 50, deals: 80 } });
const store = await openStore({ kind: "sqlite", path: join(dir, "switchyard.sqlite") });
const warehouse = await createDuckDbDestination({ path: join(dir, "warehouse.duckdb") });

const environment = await ensureEnvironment(store.db, "dev");
const connection = await createConnection(store.db, {
  environmentId: environment.id,
  provider: "hubspot",
  // Real callers seal credentials with the vault (src/app/connections/connections.ts does); runSync takes them open.
  sealedCredentials: "-",
});

const run = await runSync({
  store,
  provider: hubspot,
  connection: {
    id: connection.id,
    credentials: { type: "bearer", token: emulator.tokens[0]! },
    baseUrl: emulator.url,
    // The emulator listens on 127.0.0.1; without this, the SSRF guard refuses private addresses.
    allowPrivateAddresses: true,
  },
  streams: ["contacts", "deals"],
  destinations: [warehouse],
  onProgress: (stats, stream) => process.stderr.write(`\r${stream}: ${stats.recordsAdded} records`),
});
process.stderr.write("\n");
console.log(run.status, run.stats);
console.log(await warehouse.query('SELECT id, email, "updatedAt" FROM hubspot_contacts ORDER BY id LIMIT 3'));

await warehouse.close();
await store.close();
await emulator.close();
