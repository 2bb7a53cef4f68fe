/**
 * Child process: the baseline. A minimal hand-written loop that pages HubSpot contacts from the emulator
 * with undici — the same requests the Switchyard stream makes — and bulk-inserts each page into DuckDB
 * with the appender. No hashing, no records cache, no upsert, no checkpoints.
 * Prints `{records, seconds, peak_rss_mb, duckdb_rows}`. Usage: baseline.mjs <emulator-url> <token> <work-dir>
 *
 * Plain JavaScript, so it runs on bare Node with no loader, as the built Switchyard CLI does.
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Pool } from "undici";

const [url, token, dir] = process.argv.slice(2);
if (!url || !token || !dir) throw new Error("usage: baseline.mjs <emulator-url> <token> <work-dir>");

const pool = new Pool(url, { connections: 1, pipelining: 1 });
const headers = { authorization: `Bearer ${token}` };
async function getJson(path) {
  const response = await pool.request({ method: "GET", path, headers });
  if (response.statusCode !== 200) throw new Error(`GET ${path}: ${response.statusCode}`);
  return await response.body.json();
}

const started = performance.now();
const { results: definitions } = await getJson("/crm/v3/properties/contacts");
const properties = definitions.map((d) => d.name);
const columns = ["id", ...properties, "createdAt", "updatedAt", "archived", "companyIds"];

const instance = await DuckDBInstance.create(join(dir, "baseline.duckdb"));
const db = await instance.connect();
await db.run(`CREATE TABLE hubspot_contacts (${columns.map((c) => `"${c}" VARCHAR`).join(", ")})`);
const appender = await db.createAppender("hubspot_contacts");

let records = 0;
let after;
const query = new URLSearchParams({
  limit: "100",
  properties: properties.join(","),
  associations: "companies",
});
do {
  if (after) query.set("after", after);
  const page = await getJson(`/crm/v3/objects/contacts?${query}`);
  for (const object of page.results) {
    appender.appendVarchar(object.id);
    for (const name of properties) {
      const value = object.properties[name];
      if (value === null || value === undefined) appender.appendNull();
      else appender.appendVarchar(value);
    }
    appender.appendVarchar(object.createdAt);
    appender.appendVarchar(object.updatedAt);
    appender.appendVarchar(String(object.archived));
    appender.appendVarchar(JSON.stringify(object.associations?.companies?.results.map((r) => r.id) ?? []));
    appender.endRow();
  }
  appender.flushSync();
  records += page.results.length;
  after = page.paging?.next?.after;
} while (after);
appender.closeSync();
const seconds = (performance.now() - started) / 1000;

const reader = await db.runAndReadAll("SELECT count(*)::INTEGER AS n FROM hubspot_contacts");
const duckdbRows = Number(reader.getRowObjects()[0]?.n);
db.closeSync();
await pool.close();
process.stdout.write(
  `${JSON.stringify({ records, seconds, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), duckdb_rows: duckdbRows })}\n`,
);
