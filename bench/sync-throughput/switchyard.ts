/**
 * Child process: one full Switchyard sync of HubSpot contacts from the emulator into a fresh records cache
 * (SQLite) and DuckDB warehouse. Prints `{records, seconds, peak_rss_mb, duckdb_rows}`.
 * Usage: switchyard.ts <emulator-url> <token> <work-dir>
 */
import { upsertConnection } from "../../src/app/connections.ts";
import { syncConnection } from "../../src/app/sync-connection.ts";
import { openWorkspace } from "../../src/app/workspace.ts";
import { createDuckDbDestination } from "../../src/destinations/duckdb/index.ts";
import { peakRssMb } from "../lib/child.ts";

const [url, token, dir] = process.argv.slice(2);
if (!url || !token || !dir) throw new Error("usage: switchyard.ts <emulator-url> <token> <work-dir>");

const workspace = await openWorkspace({ dataDir: dir });
const warehouse = await createDuckDbDestination({ path: workspace.warehousePath });
const connection = await upsertConnection(workspace, {
  environment: "bench",
  provider: "hubspot",
  endUserId: "bench",
  credentials: { type: "bearer", token },
  config: { baseUrl: url },
});

const started = performance.now();
const run = await syncConnection(workspace, connection.id, {
  streams: ["contacts"],
  destinations: [warehouse],
});
const seconds = (performance.now() - started) / 1000;
if (run.status !== "succeeded") throw new Error(`sync failed: ${run.error?.message}`);

const [row] = await warehouse.query("SELECT count(*)::INTEGER AS n FROM hubspot_contacts WHERE NOT _deleted");
await warehouse.close();
await workspace.close();
process.stdout.write(
  `${JSON.stringify({ records: run.stats.recordsAdded, seconds, peak_rss_mb: peakRssMb(), duckdb_rows: Number(row?.n) })}\n`,
);
