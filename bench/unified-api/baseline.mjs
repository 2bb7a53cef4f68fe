/**
 * Child process: the floor. A bare Fastify route (no auth, no validation, no logging, no mapping) that
 * returns the same page as the unified contacts list straight from SQLite with better-sqlite3: the same
 * rows of `unified_objects` (every column, `fields` as the stored JSON text), same page size, same order,
 * same filter, from the same file, one prepared statement per query shape.
 *
 * `GET /contacts?connection_id=&page_size=&modified_after=&after_id=&after_modified=`
 * Prints `{event: "listening", url}`. Usage: baseline.mjs <store-path>
 */
import Database from "better-sqlite3";
import Fastify from "fastify";

const [storePath] = process.argv.slice(2);
if (!storePath) throw new Error("usage: baseline.mjs <store-path>");

const db = new Database(storePath);
db.pragma("journal_mode = WAL");
const base = "SELECT * FROM unified_objects WHERE connection_id = ? AND model = 'Contact' AND deleted = 0";
const statements = {
  byId: db.prepare(`${base} ORDER BY id LIMIT ?`),
  byIdAfter: db.prepare(`${base} AND id > ? ORDER BY id LIMIT ?`),
  byModified: db.prepare(`${base} AND modified_at > ? ORDER BY modified_at, id LIMIT ?`),
  // Pages after a cursor in the filtered range: the cursor implies the filter, and starts the index range.
  byModifiedAfter: db.prepare(`${base} AND (modified_at, id) > (?, ?) ORDER BY modified_at, id LIMIT ?`),
};

const app = Fastify({ logger: false });
app.get("/contacts", async (request) => {
  const q = request.query;
  const limit = Math.min(Number(q.page_size ?? 100), 100) + 1;
  let rows;
  if (q.modified_after === undefined) {
    rows =
      q.after_id === undefined
        ? statements.byId.all(q.connection_id, limit)
        : statements.byIdAfter.all(q.connection_id, q.after_id, limit);
  } else {
    rows =
      q.after_id === undefined
        ? statements.byModified.all(q.connection_id, q.modified_after, limit)
        : statements.byModifiedAfter.all(q.connection_id, q.after_modified, q.after_id, limit);
  }
  const more = rows.length === limit;
  if (more) rows.pop();
  return { next: more ? rows[rows.length - 1].id : null, previous: null, results: rows };
});
const url = await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ event: "listening", url })}\n`);
process.once("SIGTERM", async () => {
  await app.close();
  db.close();
  process.exit(0);
});
