/**
 * Response handling: read the body once, count its bytes, parse it, and say in words what went wrong.
 * Errors quote only a JSON error message, never the text of a body: a base URL may point at something
 * that is not the provider, and its pages must not leak out through problem details, run errors or the CLI.
 */

import { isUtf8 } from "node:buffer";

const EXCERPT_CHARS = 200;

/** Reads a body stream in one pass: its bytes (`buffer`), as text, and `bytes`, the exact number received. */
export async function readBody(
  body: AsyncIterable<Buffer>,
): Promise<{ text: string; bytes: number; buffer: Buffer }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    bytes += chunk.length;
  }
  const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
  return { text: buffer.toString("utf8"), bytes, buffer };
}

/** Lower-cased header names with one string each; repeated headers are joined with ", " (as HTTP allows). */
export function normalizeHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * Parses a 2xx body as JSON (empty → undefined); otherwise names the problem (HTML page, broken JSON, bytes
 * that are not UTF-8). `raw`, the bytes `text` was decoded from, lets bytes that are not UTF-8 (which decoding
 * silently turned into U+FFFD) be refused instead of stored as replacement characters.
 */
export function parseJsonBody(
  text: string,
  contentType: string | undefined,
  bytes: number,
  raw?: Uint8Array,
): ParsedBody {
  if (text === "") return { ok: true, value: undefined };
  if (raw && text.includes("\uFFFD") && !isUtf8(raw))
    return { ok: false, problem: `a ${bytes}-byte body that is not valid UTF-8 (JSON must be)` };
  if (contentType?.includes("html"))
    return { ok: false, problem: `expected JSON but got ${mediaType(contentType)}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    if (contentType !== undefined && !contentType.includes("json")) {
      return { ok: false, problem: `expected JSON but got ${mediaType(contentType)}` };
    }
    return { ok: false, problem: `invalid JSON in a ${bytes}-byte body${jsonErrorPosition(error)}` };
  }
}

/**
 * The provider's own words about an error: `message` (or a common variant) from a JSON body. Anything else is
 * described, not quoted: its media type and size (an HTML page's title or a text body could be anything).
 */
export function providerMessage(text: string, contentType: string | undefined): string {
  if (text === "") return "empty body";
  const bytes = Buffer.byteLength(text);
  const type = contentType ? mediaType(contentType) : "untyped";
  if (!contentType?.includes("html") && !text.trimStart().startsWith("<")) {
    try {
      const found = messageIn(JSON.parse(text));
      if (found !== undefined) return excerpt(found);
      return `a ${bytes}-byte ${type} body without an error message`;
    } catch {
      // Not JSON: described below.
    }
  }
  return `a ${bytes}-byte ${type} body (not shown)`;
}

/** Where JSON.parse stopped, without the excerpt of the text that V8 puts in its message. */
function jsonErrorPosition(error: unknown): string {
  const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
  return position ? ` (broken at position ${position})` : "";
}

/** Collapses whitespace, drops control characters and cuts to a short, single-line excerpt. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const line = text.replace(/[\s\p{Cc}]+/gu, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function messageIn(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  // [{ "message": "...", "errorCode": "..." }] (Salesforce)
  if (Array.isArray(body)) return body.length > 0 ? messageIn(body[0]) : undefined;
  const record = body as Record<string, unknown>;
  for (const key of ["message", "error_description", "detail", "error"]) {
    const value = record[key];
    if (typeof value === "string" && value !== "") return value;
  }
  // { "error": { "message": "..." } } and { "errors": [{ "message": "..." }] }
  const nested = record.error ?? (Array.isArray(record.errors) ? record.errors[0] : undefined);
  return nested === undefined ? undefined : messageIn(nested);
}

function mediaType(contentType: string): string {
  return contentType.split(";")[0]!.trim() || contentType;
}
