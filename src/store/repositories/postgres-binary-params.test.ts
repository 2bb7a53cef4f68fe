import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailable } from "../../../test/helpers/postgres.ts";
import { intArrayParam, textArrayParam } from "./postgres-binary-params.ts";

const ADMIN_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Texts a text literal would have to escape, and some that are only tricky for encoders. */
const AWKWARD = [
  'a"b',
  "back\\slash",
  "NULL",
  "{braces}",
  "comma,here",
  "",
  " spaced ",
  "é ü 漢字 🎉",
  '{"json":"payload","n":[1,2,{"x":"\\"quoted\\""}]}',
  "x".repeat(70_000),
];

describe.skipIf(!(await postgresAvailable()))("binary parameters, read back by Postgres", () => {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it("text[]: every element arrives as sent, in order, with NULLs as SQL NULL", async () => {
    const values = [...AWKWARD, null, "after the null"];
    const { rows } = await client.query<{ v: string | null; n: string }>(
      "SELECT v, n FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n",
      [textArrayParam(values)],
    );
    expect(rows.map((row) => row.v)).toEqual(values);
  });

  it("text[] and int[]: empty arrays", async () => {
    const { rows } = await client.query<{ t: number; i: number }>(
      "SELECT cardinality($1::text[]) AS t, cardinality($2::int[]) AS i",
      [textArrayParam([]), intArrayParam([])],
    );
    expect(rows[0]).toEqual({ t: 0, i: 0 });
  });

  it("int[]: values, negative ones included", async () => {
    const values = [0, 1, -1, 2_147_483_647, -2_147_483_648];
    const { rows } = await client.query<{ v: number[] }>("SELECT $1::int[] AS v", [intArrayParam(values)]);
    expect(rows[0]!.v).toEqual(values);
  });
});
