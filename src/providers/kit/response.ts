/**
 * A provider's response body checked at the boundary with a zod schema, for the requests a hand-written
 * stream makes itself (a search, a batch read): a body of the wrong shape is provider_response_malformed
 * naming the request and the first problems, never a cast.
 */
import type { z } from "zod";
import {
  describeIssues,
  type HttpResponse,
  ProviderResponseError,
  RecordInvalidError,
} from "../../core/index.ts";

/**
 * The parsed body; `what` names the request in the error (`A contacts search page`), `provider` who sent it
 * (default: the response's host).
 */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  response: HttpResponse,
  what: string,
  provider = new URL(response.url).host,
): z.output<S> {
  const parsed = schema.safeParse(response.body);
  if (parsed.success) return parsed.data;
  throw new ProviderResponseError(
    provider,
    `${what} did not have the expected shape (${describeIssues(parsed.error.issues, { max: 3, root: "body" })})`,
    { url: response.url, status: response.status },
  );
}

/**
 * One record of a page checked with a zod schema. Records are checked one by one, after the page's shape,
 * so the problem names the record: one without an id (at `idKey`) by its index on the page, any other by
 * its id. Either is a RecordInvalidError of `stream`.
 */
export function parseRecord<S extends z.ZodType>(
  schema: S,
  stream: string,
  raw: Record<string, unknown>,
  index: number,
  idKey = "id",
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const rawId = raw[idKey];
  const id = typeof rawId === "string" || typeof rawId === "number" ? String(rawId) : undefined;
  const problem =
    id === undefined || id === ""
      ? `result #${index} of the page has no ${idKey}`
      : `record ${id} does not have the expected shape (${describeIssues(parsed.error.issues, { max: 3, root: "body" })})`;
  throw new RecordInvalidError(stream, problem, { index, ...(id ? { id } : {}) });
}
