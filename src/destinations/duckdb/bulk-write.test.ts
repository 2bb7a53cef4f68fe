import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDuckDbDestination, type DuckDbDestination } from "./index.ts";
import { batch, contactsTarget, record, tempDir } from "./test-fixtures.ts";

// Correctness of the bulk path (several data chunks per batch, many batches), not its speed.
const COUNT = 20_000;
const target = contactsTarget();
let dir: Awaited<ReturnType<typeof tempDir>>;
let dest: DuckDbDestination;

beforeAll(async () => {
  dir = await tempDir();
  dest = await createDuckDbDestination({ path: dir.file("bulk.duckdb") });
});

afterAll(async () => {
  await dest.close();
  await dir.cleanup();
});

function contactData(i: number, version: number) {
  return {
    id: `c${String(i).padStart(6, "0")}`,
    email: `user${i}.v${version}@example.com`,
    amount: `${i}.50`,
    visits: String(i % 97),
    subscribed: i % 3 === 0 ? "true" : "false",
    created_at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    properties: { i, version },
  };
}

const contact = (i: number, version: number) => record(contactData(i, version));

/** What the table must hold: md5 over id|email|visits ordered by id, and exact sums. */
function expected(versions: number[]) {
  const lines = versions.map((version, i) => {
    const c = contactData(i, version);
    return `${c.id}|${c.email}|${i % 97}`;
  });
  return {
    n: BigInt(COUNT),
    digest: createHash("md5").update(lines.join("\n")).digest("hex"),
    amount: versions.reduce((sum, _v, i) => sum + i + 0.5, 0),
    subscribed: BigInt(versions.filter((_v, i) => i % 3 === 0).length),
    versions: BigInt(versions.reduce((sum, v) => sum + v, 0)),
    last: new Date(Date.UTC(2024, 0, 1) + (COUNT - 1) * 60_000),
  };
}

async function actual() {
  const [row] = await dest.query(`
    SELECT count(*) AS n,
           md5(string_agg(id || '|' || email || '|' || visits, chr(10) ORDER BY id)) AS digest,
           sum(amount) AS amount,
           count(*) FILTER (WHERE subscribed) AS subscribed,
           sum((properties->>'version')::BIGINT) AS versions,
           max(created_at) AS last
    FROM test_contacts WHERE _rejected IS NULL`);
  return row;
}

it("writes 20,000 records in one batch and upserts them again in batches of varied size", async () => {
  await dest.prepare(target);
  const versions = Array.from({ length: COUNT }, () => 1);
  await dest.write(
    batch(
      target,
      versions.map((v, i) => contact(i, v)),
    ),
  );
  expect(await actual()).toEqual(expected(versions));

  // Rewrite every record in batches of 100 to 5,000, updating every third one.
  let offset = 0;
  for (const size of [100, 5_000, 2_048, 2_049, 777, 10_026]) {
    const records = [];
    for (let i = offset; i < offset + size; i++) {
      if (i % 3 === 0) versions[i] = 2;
      records.push(contact(i, versions[i]!));
    }
    await dest.write(batch(target, records));
    offset += size;
  }
  expect(offset).toBe(COUNT);
  expect(await actual()).toEqual(expected(versions));
});
