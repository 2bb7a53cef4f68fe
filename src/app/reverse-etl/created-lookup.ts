/**
 * Whether creates that were in flight when a run died happened: each create call (the provider action and
 * its input, as it was built to be sent) is looked up at the provider by a key of the record it would have
 * made, so a resumed run links the record it finds instead of creating a second one.
 *
 * - Salesforce: one SOQL query per object and up to 200 keys (`WHERE Email IN (...)`, lookup.ts): the
 *   sync's natural-key field when the create sets it, else the object's identifying field (a Contact's
 *   Email, an Account's or Opportunity's Name).
 * - Pipedrive (no upsert): persons by email (else name) and organizations by name through its exact search
 *   (`GET /api/v2/{persons|organizations}/search?fields=…&exact_match=true`, one key a request, 4 in flight:
 *   pipedrive/unified/search.ts); deals by title among every deal, 500 a page (`GET /api/v2/deals`; not
 *   `updated_since`, which would compare our clock with Pipedrive's).
 *
 * Keys compare case-insensitively, as both providers match them. A key held by two records is ambiguous; a
 * create with no key (the sync does not send one) cannot be checked: both are answered as such, never
 * guessed at, so the caller fails the row rather than risk a duplicate.
 */
import type { HttpClient } from "../../core/index.ts";
import { searchPipedrive } from "../../providers/pipedrive/unified/search.ts";
import { findIdsByField } from "../../providers/salesforce/lookup.ts";
import type { ConnectionRow } from "../../store/index.ts";
import type { ActionDeps } from "../actions/run-action.ts";
import { withConnectionHttp } from "../connections/connection-http.ts";

/** One create to check: the provider action and input that were sent. */
export interface SentCreate {
  action: string;
  input: Record<string, unknown>;
}

export type CreateCheck =
  | { found: string }
  | { absent: true }
  | { ambiguous: string[]; key: string }
  | { unchecked: string };

/** How one provider checks its creates; undefined for a provider whose creates are idempotent or unknown. */
type Checker = (
  http: HttpClient,
  creates: readonly SentCreate[],
  keyField?: string,
) => Promise<CreateCheck[]>;

/** The provider's check of sent creates, or undefined when it has none (its creates need none: upserts). */
export function createChecker(provider: string): Checker | undefined {
  return CHECKERS[provider];
}

/**
 * Looks the creates up at the provider, one answer per create in order. `keyField` is the sync's natural-key
 * field, used when the create sets it.
 */
export async function checkCreates(
  deps: ActionDeps,
  connection: ConnectionRow,
  creates: readonly SentCreate[],
  keyField?: string,
): Promise<CreateCheck[]> {
  const checker = createChecker(connection.provider);
  if (!checker || creates.length === 0) return creates.map(() => ({ absent: true }));
  return withConnectionHttp(deps, connection, (http) => checker(http, creates, keyField));
}

/** What a create keys on: its object (or entity), the field looked up, and each create's value of it. */
interface Keyed {
  kind: string;
  field: string;
  value: string;
}

/** The key of each create (or why it has none), grouped by kind and field so that each group is one lookup. */
async function byKey(
  creates: readonly SentCreate[],
  keyOf: (create: SentCreate) => Keyed | string,
  lookup: (
    kind: string,
    field: string,
    group: readonly { index: number; value: string }[],
  ) => Promise<Map<string, string[]>>,
): Promise<CreateCheck[]> {
  const results: CreateCheck[] = new Array(creates.length);
  const groups = new Map<
    string,
    { kind: string; field: string; items: { index: number; value: string }[] }
  >();
  creates.forEach((create, index) => {
    const key = keyOf(create);
    if (typeof key === "string") {
      results[index] = { unchecked: key };
      return;
    }
    const id = `${key.kind}\u0000${key.field}`;
    const group = groups.get(id) ?? { kind: key.kind, field: key.field, items: [] };
    group.items.push({ index, value: key.value });
    groups.set(id, group);
  });
  for (const group of groups.values()) {
    const found = await lookup(group.kind, group.field, group.items);
    for (const { index, value } of group.items) {
      const ids = [...new Set(found.get(value.toLowerCase()) ?? [])];
      results[index] =
        ids.length === 0
          ? { absent: true }
          : ids.length === 1
            ? { found: ids[0]! }
            : { ambiguous: ids, key: `${group.field} = ${value}` };
    }
  }
  return results;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export const SALESFORCE_OBJECTS: Record<string, { object: string; field: string }> = {
  create_contact: { object: "Contact", field: "Email" },
  create_account: { object: "Account", field: "Name" },
  create_opportunity: { object: "Opportunity", field: "Name" },
};

const salesforce: Checker = (http, creates, keyField) =>
  byKey(
    creates,
    (create) => {
      const spec = SALESFORCE_OBJECTS[create.action];
      if (!spec) return `Salesforce's ${create.action} has no lookup key.`;
      const field = keyField !== undefined && textOf(create.input[keyField]) ? keyField : spec.field;
      const value = textOf(create.input[field]);
      return value === undefined
        ? `the create sets no ${field} to look its record up by; map a column to ${field} (or match on a natural key the create sets)`
        : { kind: spec.object, field, value };
    },
    (object, field, items) =>
      findIdsByField(
        http,
        object,
        field,
        items.map((item) => item.value),
      ),
  );

const PIPEDRIVE_ENTITIES: Record<string, { entity: string; fields: readonly string[] }> = {
  create_person: { entity: "persons", fields: ["email", "name"] },
  create_organization: { entity: "organizations", fields: ["name"] },
  create_deal: { entity: "deals", fields: ["title"] },
};

/** A Pipedrive v2 record's value of a create's input field (v2 answers a person's emails as a list). */
function pipedriveValue(record: Record<string, unknown>, field: string): string | undefined {
  if (field !== "email") return textOf(record[field]);
  const emails = record.emails;
  if (!Array.isArray(emails)) return textOf(record.email);
  const primary = emails.find((e) => (e as { primary?: unknown }).primary) ?? emails[0];
  return textOf((primary as { value?: unknown } | undefined)?.value);
}

const pipedrive: Checker = (http, creates) =>
  byKey(
    creates,
    (create) => {
      const spec = PIPEDRIVE_ENTITIES[create.action];
      if (!spec) return `Pipedrive's ${create.action} has no lookup key.`;
      const field = spec.fields.find((name) => textOf(create.input[name]) !== undefined);
      return field === undefined
        ? `the create sets no ${spec.fields.join(" or ")} to look its record up by`
        : { kind: spec.entity, field, value: textOf(create.input[field])! };
    },
    async (entity, field, items) => {
      // Persons and organizations: Pipedrive's exact search, one key a request (a crash leaves few in flight).
      if ((entity === "persons" || entity === "organizations") && (field === "email" || field === "name")) {
        const keys = [...new Set(items.map((item) => item.value.toLowerCase()))];
        return searchPipedrive(http, entity, field, keys);
      }
      // Deals: every deal, 500 a page (`updated_since` would compare our clock with Pipedrive's).
      const found = new Map<string, string[]>();
      let cursor: string | undefined;
      do {
        const page = (
          await http.request<{
            data?: Record<string, unknown>[];
            additional_data?: { next_cursor?: string | null };
          }>({
            method: "GET",
            path: `/api/v2/${entity}`,
            query: { limit: 500, ...(cursor ? { cursor } : {}) },
          })
        ).body;
        for (const record of page.data ?? []) {
          const value = pipedriveValue(record, field);
          if (value === undefined) continue;
          const key = value.toLowerCase();
          found.set(key, [...(found.get(key) ?? []), String(record.id)]);
        }
        cursor = page.additional_data?.next_cursor ?? undefined;
      } while (cursor);
      return found;
    },
  );

const CHECKERS: Record<string, Checker> = { salesforce, pipedrive };
