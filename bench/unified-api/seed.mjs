/**
 * Child process: fills a fresh Switchyard store (SQLite) for the unified-api benchmark, then times the
 * projection into `unified_objects`. Everything goes through the built product (`dist/`):
 *
 * - the HubSpot emulator's dataset generates N contacts (seed 42, 2,000 companies) as the v3 API returns
 *   them (every property, company associations), about 1% of them archived;
 * - the HubSpot stream's own parsing (`parseCrmObject`, `toSyncRecord`) and the engine's `prepareRecords`
 *   turn them into records, written by the records cache (`RecordsCache.write`) in batches of 1,000, in the
 *   order of their HubSpot modification time, each batch stamped a little after its last change: as a
 *   connection that has been syncing incrementally all along would have them;
 * - `catchUpUnifiedObjects` maps them into `unified_objects`: what the first unified read of the connection
 *   would do, timed on its own.
 *
 * Prints one JSON line per phase, then `{event: "seeded", ...}` with what the load needs: the API key, the
 * account token, the `modified_after` date that selects `BENCH_MODIFIED_FRACTION` of the contacts, and
 * ids spread over the list (for pages deep into it).
 * Usage: seed.mjs <store-path> <contacts> <modified-fraction>
 */
import "../../dist/process-tuning.js";
import { issueApiKey } from "../../dist/app/api-keys/api-keys.js";
import { issueAccountToken } from "../../dist/app/unified/account-tokens.js";
import { catchUpUnifiedObjects } from "../../dist/app/unified/projection.js";
import { RecordsCache } from "../../dist/destinations/records-cache.js";
import { prepareRecords } from "../../dist/engine/prepare-records.js";
import { Dataset } from "../../dist/providers/hubspot/emulator/dataset.js";
import { toApiObject } from "../../dist/providers/hubspot/emulator/serialize.js";
import { hubspot } from "../../dist/providers/hubspot/index.js";
import { CONTACTS } from "../../dist/providers/hubspot/objects.js";
import { companyIdsInline, parseCrmObject, toSyncRecord } from "../../dist/providers/hubspot/records.js";
import { unifiedMappers } from "../../dist/providers/unified-mappers.js";
import { createConnection, ensureEnvironment, openStore } from "../../dist/store/index.js";
import { generateVaultKey, parseVaultKey, Vault } from "../../dist/vault/index.js";

const [storePath, countArg, fractionArg] = process.argv.slice(2);
const count = Number(countArg);
const fraction = Number(fractionArg);
if (!storePath || !(count > 0) || !(fraction > 0 && fraction <= 1)) {
  throw new Error("usage: seed.mjs <store-path> <contacts> <modified-fraction (0..1]>");
}

const BATCH = 1_000;
/** How long after a batch's last HubSpot change the incremental sync that picked it up ran. */
const SYNC_LAG_MS = 5 * 60_000;
const print = (value) => process.stdout.write(`${JSON.stringify({ bench: "unified-api", ...value })}\n`);

const store = await openStore({ kind: "sqlite", path: storePath });
const { db } = store;
const environment = await ensureEnvironment(db, "bench");
const vault = new Vault({ current: parseVaultKey(generateVaultKey()), previous: [] });
const connection = await createConnection(db, {
  environmentId: environment.id,
  provider: "hubspot",
  endUserId: "bench-customer",
  sealedCredentials: vault.seal(JSON.stringify({ type: "bearer", token: "pat-bench-unused" })),
});
const apiKey = (await issueApiKey(db, environment, "unified-api bench")).secret;
const accountToken = await issueAccountToken(db, connection.id);

// The emulator's contacts, in the order of their HubSpot modification time.
const dataset = new Dataset({ seed: 42, counts: { contacts: count, companies: 2_000, deals: 10 } });
const table = dataset.table("contacts");
const ids = Int32Array.from({ length: count }, (_, index) => table.idBase + index);
const updatedAt = Float64Array.from(ids, (id) => table.updatedAtOf(id));
ids.sort((a, b) => updatedAt[a - table.idBase] - updatedAt[b - table.idBase]);
const definitions = dataset.propertyDefinitions("contacts");
const propertyNames = definitions.map((property) => property.name);
// The column types HubSpot's property discovery gives (src/providers/hubspot/properties.ts); others are text.
const DISCOVERED = { number: "number", bool: "boolean", date: "timestamp", datetime: "timestamp" };
const types = new Map(definitions.map((property) => [property.name, DISCOVERED[property.type] ?? "string"]));
for (const [name, type] of Object.entries(CONTACTS.properties)) types.set(name, type);
const stream = hubspot.streams.find((s) => s.name === "contacts");
const target = {
  provider: "hubspot",
  stream: "contacts",
  table: "hubspot_contacts",
  primaryKey: stream.primaryKey,
  schema: stream.schema,
};

const cache = new RecordsCache(db);
let started = performance.now();
let written = 0;
for (let from = 0; from < count; from += BATCH) {
  const batchIds = ids.subarray(from, Math.min(from + BATCH, count));
  const records = [];
  for (const id of batchIds) {
    const raw = toApiObject(dataset, "contacts", table.get(id), propertyNames, ["companies"]);
    if (id % 100 === 0) {
      raw.archived = true;
      raw.archivedAt = raw.updatedAt;
    }
    const source = parseCrmObject(CONTACTS, raw, records.length);
    records.push(toSyncRecord(CONTACTS, source, types, companyIdsInline(source)));
  }
  const lastChange = updatedAt[batchIds[batchIds.length - 1] - table.idBase];
  await cache.write({
    connectionId: connection.id,
    target,
    records: prepareRecords(stream, records),
    syncedAt: new Date(lastChange + SYNC_LAG_MS),
  });
  written += records.length;
}
let seconds = (performance.now() - started) / 1000;
print({ phase: "cache", records: written, seconds: round(seconds), per_s: Math.round(written / seconds) });

started = performance.now();
await catchUpUnifiedObjects(db, unifiedMappers, { id: connection.id, provider: "hubspot" }, ["Contact"]);
seconds = (performance.now() - started) / 1000;
const contacts = await db
  .selectFrom("unified_objects")
  .select((eb) => eb.fn.countAll().as("n"))
  .where("connection_id", "=", connection.id)
  .where("model", "=", "Contact")
  .executeTakeFirstOrThrow();
const objects = Number(contacts.n);
if (objects !== count) throw new Error(`the projection made ${objects} contacts, expected ${count}`);
print({ phase: "projection", objects, seconds: round(seconds), per_s: Math.round(objects / seconds) });

// A modified_at after which at least `fraction` of the contacts (live or not) changed: the time before the
// one at that rank (a batch's contacts share their time, so the share is rounded up to whole batches).
const contactsOf = () =>
  db.selectFrom("unified_objects").where("connection_id", "=", connection.id).where("model", "=", "Contact");
const { modified_at: atRank } = await contactsOf()
  .select("modified_at")
  .orderBy("modified_at", "desc")
  .orderBy("id", "desc")
  .offset(Math.max(0, Math.floor(count * fraction) - 1))
  .limit(1)
  .executeTakeFirstOrThrow();
const before = await contactsOf()
  .select((eb) => eb.fn.max("modified_at").as("at"))
  .where("modified_at", "<", atRank)
  .executeTakeFirst();
const modifiedAfter = before?.at ?? "1970-01-01T00:00:00.000Z";
// Every (count / 200)th live contact by id and by modified_at: cursors spread over the whole list.
const spread = async (sort) => {
  const rows = await db
    .selectFrom("unified_objects")
    .select(["id", "modified_at"])
    .where("connection_id", "=", connection.id)
    .where("model", "=", "Contact")
    .where("deleted", "=", 0)
    .where(sort === "modified_at" ? "modified_at" : "id", ">", sort === "modified_at" ? modifiedAfter : "")
    .orderBy(sort)
    .orderBy("id")
    .execute();
  const step = Math.max(1, Math.floor(rows.length / 200));
  return rows.filter((_, index) => index % step === step - 1).map((row) => [row.id, row.modified_at]);
};
const byId = await spread("id");
const byModified = await spread("modified_at");
await store.close();
print({
  event: "seeded",
  contacts: count,
  connectionId: connection.id,
  apiKey,
  accountToken,
  modifiedAfter,
  byId,
  byModified,
});

function round(value) {
  return Number(value.toFixed(2));
}
