/**
 * Large statement parameters in Postgres's binary format, built straight into one Buffer (node-postgres
 * sends a Buffer parameter as binary, format 1, and the server reads it with the type's receive function).
 *
 * Why: node-postgres sends an array as its text literal, built by escaping every element (each `"` and `\`
 * of a JSON payload doubled) and concatenating them into one long string, which it then measures and
 * encodes again; for a 10,000-record batch that is tens of MB of short-lived strings, and in a sync worker
 * the garbage collection and encoding cost more CPU than the server's work on the batch (profiled in
 * docs/benchmarks.md, "sync-throughput on Postgres"). The binary form needs no escaping: each element is
 * its length and its UTF-8 bytes, and the server copies it without parsing quotes.
 */

/** Type OIDs of the element types used (pg_type.oid; fixed since Postgres 7). */
const TEXT_OID = 25;
const INT4_OID = 23;
/** ndim, flags (has nulls), element type, then one dimension's length and lower bound. */
const ARRAY_HEADER_BYTES = 20;

function arrayHeader(buffer: Buffer, elementOid: number, length: number, hasNulls: boolean): number {
  let at = buffer.writeInt32BE(1, 0);
  at = buffer.writeInt32BE(hasNulls ? 1 : 0, at);
  at = buffer.writeInt32BE(elementOid, at);
  at = buffer.writeInt32BE(length, at);
  return buffer.writeInt32BE(1, at);
}

/**
 * A `text[]` parameter (bind it as `$n::text[]`); null elements are SQL NULL. Postgres text cannot hold
 * NUL: callers must have removed it, as the server refuses the whole statement otherwise.
 */
export function textArrayParam(values: readonly (string | null)[]): Buffer {
  if (values.length === 0) return emptyArray(TEXT_OID);
  let size = ARRAY_HEADER_BYTES;
  let hasNulls = false;
  const lengths = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      hasNulls = true;
      lengths[i] = -1;
      size += 4;
    } else {
      lengths[i] = Buffer.byteLength(value, "utf8");
      size += 4 + lengths[i]!;
    }
  }
  const buffer = Buffer.allocUnsafe(size);
  let at = arrayHeader(buffer, TEXT_OID, values.length, hasNulls);
  for (let i = 0; i < values.length; i++) {
    at = buffer.writeInt32BE(lengths[i]!, at);
    if (lengths[i]! > 0) at += buffer.write(values[i]!, at, lengths[i]!, "utf8");
  }
  return buffer;
}

/** An `int[]` (int4) parameter (bind it as `$n::int[]`). */
export function intArrayParam(values: readonly number[]): Buffer {
  if (values.length === 0) return emptyArray(INT4_OID);
  const buffer = Buffer.allocUnsafe(ARRAY_HEADER_BYTES + values.length * 8);
  let at = arrayHeader(buffer, INT4_OID, values.length, false);
  for (const value of values) {
    at = buffer.writeInt32BE(4, at);
    at = buffer.writeInt32BE(value, at);
  }
  return buffer;
}

/** A zero-dimension array: ndim 0, no nulls, the element type. */
function emptyArray(elementOid: number): Buffer {
  const buffer = Buffer.alloc(12);
  buffer.writeInt32BE(elementOid, 8);
  return buffer;
}
