/**
 * Reverse ETL's create checks for Pipedrive (core/created-records.ts), which has no upserts: persons by email
 * (else name) and organizations by name through its exact search (`GET /api/v2/{persons|organizations}/
 * search?fields=…&exact_match=true`, one key a request: unified/search.ts); deals by title among every deal,
 * 500 a page (`GET /api/v2/deals`; not `updated_since`, which would compare our clock with Pipedrive's).
 */
import type { CreatedRecordChecks, HttpClient } from "../../core/index.ts";
import { checkCreatesByKey, keyText } from "../kit/index.ts";
import { searchPipedrive } from "./unified/search.ts";

const CREATES: Record<string, { entity: string; fields: readonly string[] }> = {
  create_person: { entity: "persons", fields: ["email", "name"] },
  create_organization: { entity: "organizations", fields: ["name"] },
  create_deal: { entity: "deals", fields: ["title"] },
};

/** A Pipedrive v2 record's value of a create's input field (v2 answers a person's emails as a list). */
function recordValue(record: Record<string, unknown>, field: string): string | undefined {
  if (field !== "email") return keyText(record[field]);
  const emails = record.emails;
  if (!Array.isArray(emails)) return keyText(record.email);
  const primary = emails.find((e) => (e as { primary?: unknown }).primary) ?? emails[0];
  return keyText((primary as { value?: unknown } | undefined)?.value);
}

/** Every record of an entity by one field's value (lower case), 500 a page. */
async function listedByField(http: HttpClient, entity: string, field: string) {
  const found = new Map<string, string[]>();
  let cursor: string | undefined;
  do {
    const page = (
      await http.request<{
        data?: Record<string, unknown>[];
        additional_data?: { next_cursor?: string | null };
      }>({ method: "GET", path: `/api/v2/${entity}`, query: { limit: 500, ...(cursor ? { cursor } : {}) } })
    ).body;
    for (const record of page.data ?? []) {
      const value = recordValue(record, field)?.toLowerCase();
      if (value !== undefined) found.set(value, [...(found.get(value) ?? []), String(record.id)]);
    }
    cursor = page.additional_data?.next_cursor ?? undefined;
  } while (cursor);
  return found;
}

export const pipedriveCreatedRecords: CreatedRecordChecks = {
  check: (http, creates) =>
    checkCreatesByKey(
      creates,
      (create) => {
        const spec = CREATES[create.action];
        if (!spec) return `Pipedrive's ${create.action} has no lookup key.`;
        const field = spec.fields.find((name) => keyText(create.input[name]) !== undefined);
        return field === undefined
          ? `the create sets no ${spec.fields.join(" or ")} to look its record up by`
          : { kind: spec.entity, field, value: keyText(create.input[field])! };
      },
      (entity, field, values) =>
        // Persons and organizations: the exact search (a crash leaves few in flight); deals: every deal.
        (entity === "persons" || entity === "organizations") && (field === "email" || field === "name")
          ? searchPipedrive(http, entity, field, [...new Set(values.map((value) => value.toLowerCase()))])
          : listedByField(http, entity, field),
    ),
};
