/**
 * API v2's searches of persons and organizations (`GET /api/v2/persons/search`, `/api/v2/organizations/search`)
 * over the dataset, in Pipedrive's documented shape: `term` (at least 2 characters, or 1 with `exact_match`),
 * `fields` (persons: name, email, phone, notes, custom_fields; organizations: name, address, notes,
 * custom_fields; default all), `exact_match` (the whole value, not case sensitive; otherwise the term anywhere
 * in it), `limit` (at most 500) and `cursor`; answered as `data.items[]` of `{result_score, item}`, with
 * `additional_data.next_cursor`. The emulator searches names, emails and phones; notes, addresses and custom
 * fields it holds no text of, so they match nothing.
 */
import type { FastifyInstance } from "fastify";
import * as kit from "../../../emulator/index.ts";
import { type Dataset, rfc3339 } from "./dataset.ts";

type Query = Record<string, string | string[] | undefined>;
type Searchable = "persons" | "organizations";

const FIELDS: Record<Searchable, readonly string[]> = {
  persons: ["custom_fields", "email", "notes", "phone", "name"],
  organizations: ["address", "custom_fields", "notes", "name"],
};

const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((entry) => String((entry as { value?: unknown })?.value ?? "")) : [];

/** The record's searchable text per field (only what the emulator holds). */
function textsOf(fields: Record<string, unknown>): Record<string, string[]> {
  return {
    name: [String(fields.name ?? "")],
    email: texts(fields.emails),
    phone: texts(fields.phones),
  };
}

export function pipedriveSearchRoutes(api: FastifyInstance, data: Dataset): void {
  for (const entity of ["persons", "organizations"] as const) {
    api.get(`/api/v2/${entity}/search`, async (request) => {
      const query = request.query as Query;
      const exact = kit.booleanParam(query.exact_match, "exact_match");
      const term = (kit.singleParam(query.term) ?? "").trim();
      if (term.length < (exact ? 1 : 2))
        throw new kit.ParamError("term must be at least 2 characters long (1 with exact_match).");
      const fields = kit.listParam(query.fields);
      for (const field of fields)
        if (!FIELDS[entity].includes(field))
          throw new kit.ParamError(`fields must be some of ${FIELDS[entity].join(", ")}, but was ${field}.`);
      const searched = fields.length > 0 ? fields : FIELDS[entity];
      const limit = kit.limitParam(kit.singleParam(query.limit), { fallback: 100, max: 500 });
      const cursor = kit.singleParam(query.cursor);
      const fromId = cursor ? kit.decodeCursor<{ id: number }>(cursor).id : undefined;
      const wanted = term.toLowerCase();
      const hits = (text: string) =>
        exact ? text.toLowerCase() === wanted : text.toLowerCase().includes(wanted);
      const table = data.tables[entity];
      const page = kit.takePage(
        (function* () {
          for (let id = fromId ?? table.idBase; id < table.nextId; id++) {
            const record = data.live(entity, id);
            if (!record) continue;
            const values = textsOf(record.fields as Record<string, unknown>);
            if (searched.some((field) => (values[field] ?? []).some(hits))) yield record;
          }
        })(),
        limit,
      );
      const items = page.items.map((record) => {
        const f = record.fields as Record<string, unknown>;
        const common = {
          id: record.id,
          type: entity === "persons" ? "person" : "organization",
          name: f.name,
          visible_to: f.visible_to ?? 3,
          owner: { id: f.owner_id ?? 1 },
          custom_fields: [],
          notes: [],
          update_time: rfc3339(record.updatedAt),
        };
        const item =
          entity === "persons"
            ? {
                ...common,
                emails: texts(f.emails),
                phones: texts(f.phones),
                organization: f.org_id ? { id: f.org_id } : null,
              }
            : { ...common, address: null };
        return { result_score: exact ? 1 : 0.5, item };
      });
      return {
        success: true,
        data: { items },
        additional_data: { next_cursor: page.next ? kit.encodeCursor({ id: page.next.id }) : null },
      };
    });
  }
}
