/**
 * Pipedrive's API paths over the dataset: API v2 (`/api/v2/...`: cursor paging, `updated_since`, list, get,
 * create, update and delete of persons, organizations, deals and activities, deleted deals through
 * `status=deleted`, the stages, the searches of persons and organizations in search.ts) and API v1 (`/v1/...` and `/api/v1/...`: `start`/`limit` paging with
 * `additional_data.pagination`; the field definitions, users, and legacy reads of the entities).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import * as kit from "../../../emulator/index.ts";
import { ENTITIES, type Entity, fieldDefinitions, STAGES, type Values } from "./catalog.ts";
import { CLOCK_START, type Dataset, rfc3339, type User, v1Time } from "./dataset.ts";
import { pipedriveSearchRoutes } from "./search.ts";

type Query = Record<string, string | string[] | undefined>;

const ITEM = { persons: "person", organizations: "organization", deals: "deal", activities: "activity" };
/** `personFields`, `organizationFields`, `dealFields`, `activityFields`. */
const fieldsPath = (entity: Entity) => `${ITEM[entity]}Fields`;
const title = (word: string) => word[0]!.toUpperCase() + word.slice(1);

const id = z.number().int().positive();
const ref = id.nullable().optional();
const text = z.string().min(1);
const contact = z.object({
  value: z.string(),
  primary: z.boolean().optional(),
  label: z.string().optional(),
});
const contacts = z.array(contact).optional();
const money = { value: z.number().optional(), currency: z.string().length(3).optional() };
const deal = {
  status: z.enum(["open", "won", "lost"]).optional(),
  expected_close_date: z.iso.date().optional(),
};
const links = { deal_id: ref, person_id: ref, org_id: ref };
const dealLinks = { person_id: ref, org_id: ref, stage_id: id.optional() };
const task = { due_date: z.iso.date().optional(), done: z.boolean().optional() };
const shared = { owner_id: id.optional(), visible_to: z.number().int().optional() };
const labels = z.array(z.number().int()).optional();
const tagged = { label_ids: labels, custom_fields: z.record(z.string(), z.unknown()).optional() };
/** v2 bodies, checked as strictly as v2 checks them: numbers must be numbers, booleans booleans. */
const CREATE: Record<Entity, z.ZodObject> = {
  persons: z.object({ name: text, org_id: ref, emails: contacts, phones: contacts, ...tagged }),
  organizations: z.object({ name: text, address: z.unknown().optional(), ...tagged }),
  deals: z.object({ title: text, ...dealLinks, ...money, ...deal, ...tagged }),
  activities: z.object({ subject: text, type: z.string().optional(), ...links, ...task }),
};
const bodySchema = (entity: Entity, update: boolean) =>
  update ? CREATE[entity].extend(shared).partial() : CREATE[entity].extend(shared);

/** A time parameter in RFC 3339 (`2025-01-01T10:20:00Z`), as v2 takes them. */
function timeParam(query: Query, name: string): number | undefined {
  const raw = kit.singleParam(query[name]);
  if (raw === undefined || raw === "") return undefined;
  if (!z.iso.datetime({ offset: true }).safeParse(raw).success) {
    throw new kit.ParamError(`${name} must be in RFC3339 format, e.g. 2025-01-01T10:20:00Z.`);
  }
  return Date.parse(raw);
}

function idParam(request: FastifyRequest): number {
  const raw = (request.params as { id: string }).id;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new kit.ParamError(`id must be a positive integer, but was ${raw}.`);
  return value;
}

export function pipedriveRoutes(api: FastifyInstance, data: Dataset, errors: kit.ErrorStyle): void {
  // "Person not found", "Deal not found"…
  const notFound = (entity: Entity) =>
    new kit.EmulatorError(404, "not_found", `${title(ITEM[entity])} not found`);
  const found = (entity: Entity, recordId: number) => {
    const record = data.live(entity, recordId);
    if (!record) throw notFound(entity);
    return record;
  };

  pipedriveSearchRoutes(api, data);
  for (const entity of Object.keys(CREATE) as Entity[]) {
    const path = `/api/v2/${entity}`;
    api.get(path, async (request) => {
      const query = request.query as Query;
      const limit = kit.limitParam(kit.singleParam(query.limit), { fallback: 100, max: 500 });
      const cursor = kit.singleParam(query.cursor);
      const fromId = cursor ? kit.decodeCursor<{ id: number }>(cursor).id : undefined;
      const since = timeParam(query, "updated_since") ?? -Infinity;
      const until = timeParam(query, "updated_until") ?? Infinity;
      const ids = new Set(kit.listParam(query.ids).map(Number));
      const owner = kit.singleParam(query.owner_id);
      const statuses = entity === "deals" ? kit.listParam(query.status) : [];
      const table = data.tables[entity];
      // Deleted deals are listed only when asked for by status (Pipedrive keeps them 30 days).
      const wantsDeleted = statuses.includes("deleted");
      const wantsLive = statuses.length === 0 || statuses.some((s) => s !== "deleted");
      const inStatus = (record: kit.TableRecord<Values>) =>
        record.archivedAt !== undefined ||
        statuses.length === 0 ||
        statuses.includes(String(record.fields.status));
      const owned = (record: kit.TableRecord<Values>) =>
        owner === undefined || String(record.fields.owner_id) === owner;
      // Times and ids are checked before get(), so records outside the window are never generated.
      const matches = (recordId: number) => {
        const updatedAt = table.updatedAtOf(recordId);
        return updatedAt >= since && updatedAt < until && (ids.size === 0 || ids.has(recordId));
      };
      const page = kit.takePage(
        (function* () {
          for (let next = fromId ?? table.idBase; next < table.nextId; next++) {
            const deleted = table.isArchived(next);
            if ((deleted ? !wantsDeleted : !wantsLive) || !matches(next)) continue;
            const record = table.get(next)!;
            if (owned(record) && inStatus(record)) yield record;
          }
        })(),
        limit,
      );
      return {
        success: true,
        data: page.items.map((record) => data.serialize(entity, record)),
        additional_data: { next_cursor: page.next ? kit.encodeCursor({ id: page.next.id }) : null },
      };
    });
    api.get(`${path}/:id`, async (request) => ({
      success: true,
      data: data.serialize(entity, found(entity, idParam(request))),
    }));
    api.post(path, async (request) => {
      const values = kit.parseBody(errors, bodySchema(entity, false), request.body ?? {}) as Values;
      const created = data.create(entity, { owner_id: 1, ...values });
      return { success: true, data: data.serialize(entity, found(entity, created)) };
    });
    api.patch(`${path}/:id`, async (request) => {
      const recordId = found(entity, idParam(request)).id;
      data.update(
        entity,
        recordId,
        kit.parseBody(errors, bodySchema(entity, true), request.body ?? {}) as Values,
      );
      return { success: true, data: data.serialize(entity, found(entity, recordId)) };
    });
    api.delete(`${path}/:id`, async (request) => {
      const recordId = found(entity, idParam(request)).id;
      data.remove(entity, recordId);
      return { success: true, data: { id: recordId } };
    });
  }

  // The stages of pipeline 1, as v2 lists them (one page: they are few), created with the company.
  const created = rfc3339(CLOCK_START - 400 * 86_400_000);
  const stageOf = (name: string, i: number) => ({
    ...{ id: i + 1, order_nr: i + 1, name, pipeline_id: 1, deal_probability: 100, is_deleted: false },
    ...{ is_deal_rot_enabled: false, days_to_rotten: null, add_time: created, update_time: created },
  });
  api.get("/api/v2/stages", async (request) => {
    const pipeline = kit.singleParam((request.query as Query).pipeline_id) ?? "1";
    const data = pipeline === "1" ? STAGES.map(stageOf) : [];
    return { success: true, data, additional_data: { next_cursor: null } };
  });

  // API v1: both `/v1/...` and `/api/v1/...` are served, as Pipedrive does.
  for (const prefix of ["/v1", "/api/v1"]) {
    for (const entity of Object.keys(CREATE) as Entity[]) {
      api.get(`${prefix}/${fieldsPath(entity)}`, async (request) =>
        v1Page(request.query as Query, fieldDefinitions(entity)),
      );
    }
    // Every change since a time (UTC, `YYYY-MM-DD HH:MM:SS`), oldest first, deleted records included.
    api.get(`${prefix}/recents`, async (request) => {
      const query = request.query as Query;
      const since = kit.singleParam(query.since_timestamp);
      if (!since || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(since))
        throw new kit.ParamError("since_timestamp is required, in the format YYYY-MM-DD HH:MM:SS.");
      const kinds = kit.listParam(query.items);
      const from = Date.parse(`${since.replace(" ", "T")}Z`);
      const wanted = ENTITIES.filter((entity) => kinds.length === 0 || kinds.includes(ITEM[entity]));
      const changes = wanted.flatMap((entity) => data.changedSince(entity, from).map((r) => ({ entity, r })));
      changes.sort((a, b) => a.r.updatedAt - b.r.updatedAt || a.r.id - b.r.id);
      return v1Page(query, changes, ({ entity, r }) => ({
        item: ITEM[entity],
        id: r.id,
        data: v1Record(entity, r),
      }));
    });
    api.get(`${prefix}/users`, async (request) =>
      v1Page(request.query as Query, [...data.users.liveIds()], (userId) => v1User(data.users.get(userId)!)),
    );
    // The token's owner: user 1, with the company the token belongs to.
    const company = { company_id: 7001, company_name: "Emulated Company", company_domain: "emulated" };
    api.get(`${prefix}/users/me`, async () => ({
      success: true,
      data: { ...v1User(data.users.get(1)!), ...company },
    }));
    api.get(`${prefix}/users/:id`, async (request) => {
      const user = data.users.get(idParam(request));
      if (!user) throw new kit.EmulatorError(404, "not_found", "User not found");
      return { success: true, data: v1User(user) };
    });
  }
}

/**
 * A v1 list page: `start`/`limit` (at most 500) and `additional_data.pagination`; `render` shapes only the
 * page's items.
 */
function v1Page<T>(query: Query, items: readonly T[], render: (item: T) => unknown = (item) => item) {
  const start = kit.offsetParam(kit.singleParam(query.start));
  const limit = kit.limitParam(kit.singleParam(query.limit), { fallback: 100, max: 500 });
  const { items: page, moreItems, nextStart } = kit.offsetPage(items, start, limit);
  const data = page.map(render);
  const next = nextStart !== undefined ? { next_start: nextStart } : {};
  const pagination = { start, limit, more_items_in_collection: moreItems, ...next };
  return { success: true, data, additional_data: { pagination } };
}

/** A record as v1 returns it: custom fields at the top level (a monetary one as value and `_currency`). */
function v1Record(entity: Entity, record: kit.TableRecord<Values>) {
  const { custom_fields: custom = {}, ...fields } = record.fields;
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(custom)) {
    if (value !== null && typeof value === "object" && "currency" in value) {
      flat[key] = (value as unknown as { value: unknown }).value;
      flat[`${key}_currency`] = (value as { currency: unknown }).currency;
    } else flat[key] = Array.isArray(value) ? value.join(",") : value;
  }
  const times = { add_time: v1Time(record.createdAt), update_time: v1Time(record.updatedAt) };
  const live = record.archivedAt === undefined;
  // v1 tells a deleted record by `active_flag: false` (deals: `active: false` too).
  const flags = { active_flag: live, ...(entity === "deals" ? { active: live } : {}) };
  return { id: record.id, ...fields, ...flat, ...times, ...flags };
}

const LOCALE = { lang: 1, locale: "en_US", timezone_name: "Europe/Tallinn", default_currency: "EUR" };

function v1User({ id, fields, createdAt, updatedAt }: kit.TableRecord<User>) {
  const { name, email, active_flag, is_admin } = fields;
  const times = { created: v1Time(createdAt), modified: v1Time(updatedAt), last_login: v1Time(updatedAt) };
  const roles = { is_admin: is_admin ? 1 : 0, role_id: 1, has_created_company: id === 1, is_you: id === 1 };
  const access = [{ app: "sales", admin: is_admin, permission_set_id: "1" }];
  return { id, name, email, active_flag, activated: active_flag, ...roles, ...LOCALE, ...times, access };
}
