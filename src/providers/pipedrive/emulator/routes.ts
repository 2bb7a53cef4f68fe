/**
 * Pipedrive's API paths over the dataset: API v2 (`/api/v2/...`: cursor paging, `updated_since`, list,
 * get, create, update and delete of persons, organizations, deals and activities, deleted deals through
 * `status=deleted`) and API v1 (`/v1/...` and `/api/v1/...`: `start`/`limit` paging with
 * `additional_data.pagination`; the field definitions, users, and legacy reads of the entities).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  decodeCursor,
  EmulatorError,
  type ErrorStyle,
  encodeCursor,
  limitParam,
  listParam,
  offsetPage,
  offsetParam,
  ParamError,
  parseBody,
  singleParam,
  type TableRecord,
  takePage,
} from "../../../emulator/index.ts";
import { type Entity, fieldDefinitions, type Values } from "./catalog.ts";
import { type Dataset, type User, v1Time } from "./dataset.ts";

type Query = Record<string, string | string[] | undefined>;

const SINGULAR: Record<Entity, string> = {
  persons: "Person",
  organizations: "Organization",
  deals: "Deal",
  activities: "Activity",
};
const FIELDS_PATH: Record<Entity, string> = {
  persons: "personFields",
  organizations: "organizationFields",
  deals: "dealFields",
  activities: "activityFields",
};

const id = z.number().int().positive();
const contact = z.object({
  value: z.string(),
  primary: z.boolean().optional(),
  label: z.string().optional(),
});
const common = {
  owner_id: id.optional(),
  visible_to: z.number().int().optional(),
  label_ids: z.array(z.number().int()).optional(),
  custom_fields: z.record(z.string(), z.unknown()).optional(),
};
/** v2 bodies, checked as strictly as v2 checks them: numbers must be numbers, booleans booleans. */
const CREATE: Record<Entity, z.ZodType<Values>> = {
  persons: z.object({
    name: z.string().min(1),
    org_id: id.nullable().optional(),
    emails: z.array(contact).optional(),
    phones: z.array(contact).optional(),
    ...common,
  }),
  organizations: z.object({ name: z.string().min(1), address: z.unknown().optional(), ...common }),
  deals: z.object({
    title: z.string().min(1),
    value: z.number().optional(),
    currency: z.string().length(3).optional(),
    person_id: id.nullable().optional(),
    org_id: id.nullable().optional(),
    stage_id: id.optional(),
    status: z.enum(["open", "won", "lost"]).optional(),
    expected_close_date: z.iso.date().optional(),
    ...common,
  }),
  activities: z.object({
    subject: z.string().min(1),
    type: z.string().optional(),
    owner_id: id.optional(),
    deal_id: id.nullable().optional(),
    person_id: id.nullable().optional(),
    org_id: id.nullable().optional(),
    due_date: z.iso.date().optional(),
    done: z.boolean().optional(),
  }),
};
const UPDATE = Object.fromEntries(
  Object.entries(CREATE).map(([entity, schema]) => [entity, (schema as z.ZodObject).partial()]),
) as unknown as Record<Entity, z.ZodType<Values>>;

/** A time parameter in RFC 3339 (`2025-01-01T10:20:00Z`), as v2 takes them. */
function timeParam(query: Query, name: string): number | undefined {
  const raw = singleParam(query[name]);
  if (raw === undefined || raw === "") return undefined;
  if (!z.iso.datetime({ offset: true }).safeParse(raw).success) {
    throw new ParamError(`${name} must be in RFC3339 format, e.g. 2025-01-01T10:20:00Z.`);
  }
  return Date.parse(raw);
}

function idParam(request: FastifyRequest): number {
  const raw = (request.params as { id: string }).id;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new ParamError(`id must be a positive integer, but was ${raw}.`);
  return value;
}

export function pipedriveRoutes(api: FastifyInstance, data: Dataset, errors: ErrorStyle): void {
  const notFound = (entity: Entity) => new EmulatorError(404, "not_found", `${SINGULAR[entity]} not found`);
  const found = (entity: Entity, recordId: number) => {
    const record = data.live(entity, recordId);
    if (!record) throw notFound(entity);
    return record;
  };

  for (const entity of Object.keys(CREATE) as Entity[]) {
    const path = `/api/v2/${entity}`;
    api.get(path, async (request) => {
      const query = request.query as Query;
      const limit = limitParam(singleParam(query.limit), { fallback: 100, max: 500 });
      const cursor = singleParam(query.cursor);
      const fromId = cursor ? decodeCursor<{ id: number }>(cursor).id : undefined;
      const since = timeParam(query, "updated_since") ?? -Infinity;
      const until = timeParam(query, "updated_until") ?? Infinity;
      const ids = new Set(listParam(query.ids).map(Number));
      const owner = singleParam(query.owner_id);
      const statuses = entity === "deals" ? listParam(query.status) : [];
      const table = data.tables[entity];
      // Deleted deals are listed only when asked for by status (Pipedrive keeps them 30 days).
      const wantsDeleted = statuses.includes("deleted");
      const wantsLive = statuses.length === 0 || statuses.some((s) => s !== "deleted");
      const matches = (record: TableRecord<Values>) =>
        record.updatedAt >= since &&
        record.updatedAt < until &&
        (ids.size === 0 || ids.has(record.id)) &&
        (owner === undefined || String(record.fields.owner_id) === owner) &&
        (record.archivedAt !== undefined ||
          statuses.length === 0 ||
          statuses.includes(String(record.fields.status)));
      const page = takePage(
        (function* () {
          for (let next = fromId ?? table.idBase; next < table.nextId; next++) {
            const deleted = table.isArchived(next);
            if (deleted ? !wantsDeleted : !wantsLive) continue;
            const record = table.get(next)!;
            if (matches(record)) yield record;
          }
        })(),
        limit,
      );
      return {
        success: true,
        data: page.items.map((record) => data.serialize(entity, record)),
        additional_data: { next_cursor: page.next ? encodeCursor({ id: page.next.id }) : null },
      };
    });
    api.get(`${path}/:id`, async (request) => ({
      success: true,
      data: data.serialize(entity, found(entity, idParam(request))),
    }));
    api.post(path, async (request) => {
      const values = parseBody(errors, CREATE[entity], request.body ?? {});
      const created = data.create(entity, { owner_id: 1, ...values });
      return { success: true, data: data.serialize(entity, found(entity, created)) };
    });
    api.patch(`${path}/:id`, async (request) => {
      const recordId = found(entity, idParam(request)).id;
      data.update(entity, recordId, parseBody(errors, UPDATE[entity], request.body ?? {}));
      return { success: true, data: data.serialize(entity, found(entity, recordId)) };
    });
    api.delete(`${path}/:id`, async (request) => {
      const recordId = found(entity, idParam(request)).id;
      data.remove(entity, recordId);
      return { success: true, data: { id: recordId } };
    });
  }

  // API v1: both `/v1/...` and `/api/v1/...` are served, as Pipedrive does.
  for (const prefix of ["/v1", "/api/v1"]) {
    for (const entity of Object.keys(CREATE) as Entity[]) {
      api.get(`${prefix}/${FIELDS_PATH[entity]}`, async (request) =>
        v1Page(request.query as Query, fieldDefinitions(entity)),
      );
      api.get(`${prefix}/${entity}`, async (request) =>
        v1Page(
          request.query as Query,
          [...data.tables[entity].liveIds()].map((recordId) => v1Record(entity, found(entity, recordId))),
        ),
      );
      api.get(`${prefix}/${entity}/:id`, async (request) => ({
        success: true,
        data: v1Record(entity, found(entity, idParam(request))),
      }));
    }
    api.get(`${prefix}/users`, async (request) =>
      v1Page(
        request.query as Query,
        [...data.users.liveIds()].map((userId) => v1User(data.users.get(userId)!)),
      ),
    );
    // The token's owner: user 1, with the company the token belongs to.
    api.get(`${prefix}/users/me`, async () => ({
      success: true,
      data: {
        ...v1User(data.users.get(1)!),
        is_you: true,
        company_id: 7001,
        company_name: "Emulated Company",
        company_domain: "emulated",
        company_country: "EE",
        language: { language_code: "en", country_code: "US" },
      },
    }));
    api.get(`${prefix}/users/:id`, async (request) => {
      const user = data.users.get(idParam(request));
      if (!user) throw new EmulatorError(404, "not_found", "User not found");
      return { success: true, data: v1User(user) };
    });
  }
}

/** A v1 list page: `start`/`limit` (at most 500) and `additional_data.pagination`. */
function v1Page(query: Query, items: readonly unknown[]) {
  const start = offsetParam(singleParam(query.start));
  const limit = limitParam(singleParam(query.limit), { fallback: 100, max: 500 });
  const page = offsetPage(items, start, limit);
  return {
    success: true,
    data: page.items,
    additional_data: {
      pagination: {
        start,
        limit,
        more_items_in_collection: page.moreItems,
        ...(page.nextStart !== undefined ? { next_start: page.nextStart } : {}),
      },
    },
  };
}

/** A record as v1 returns it: custom fields at the top level (a monetary one as value and `_currency`). */
function v1Record(entity: Entity, record: TableRecord<Values>) {
  const { custom_fields: custom = {}, ...fields } = record.fields;
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(custom)) {
    if (value !== null && typeof value === "object" && "currency" in value) {
      flat[key] = (value as unknown as { value: unknown }).value;
      flat[`${key}_currency`] = (value as { currency: unknown }).currency;
    } else flat[key] = Array.isArray(value) ? value.join(",") : value;
  }
  return {
    id: record.id,
    ...fields,
    ...flat,
    add_time: v1Time(record.createdAt),
    update_time: v1Time(record.updatedAt),
    active_flag: record.archivedAt === undefined,
    ...(entity === "deals" ? { active: record.archivedAt === undefined } : {}),
  };
}

function v1User(user: TableRecord<User>) {
  return {
    id: user.id,
    name: user.fields.name,
    email: user.fields.email,
    lang: 1,
    locale: "en_US",
    timezone_name: "Europe/Tallinn",
    timezone_offset: "+02:00",
    default_currency: "EUR",
    icon_url: null,
    active_flag: user.fields.active_flag,
    is_admin: user.fields.is_admin ? 1 : 0,
    role_id: 1,
    created: v1Time(user.createdAt),
    modified: v1Time(user.updatedAt),
    last_login: v1Time(user.updatedAt),
    has_created_company: user.id === 1,
    activated: user.fields.active_flag,
    is_you: user.id === 1,
    phone: null,
    access: [{ app: "sales", admin: user.fields.is_admin, permission_set_id: "1" }],
  };
}
