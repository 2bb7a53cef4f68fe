/**
 * Keeps a connection's `unified_objects` caught up with its records cache: every record changed since a
 * stream's mark is mapped again by the provider's mappers and upserted, then the mark moves to the time the
 * cache said the stream last changed. A new mapper version maps the stream again from scratch. Reads call it
 * first, so what they serve is never older than the cache; catching up is idempotent, so two requests doing it
 * at once only repeat work.
 *
 * Field mappings are applied here too: a fingerprint of the mappings that apply to a stream's models is part of
 * the stream's version, so a created, changed or deleted mapping re-maps the stream's cached payloads on the
 * next read, with no request to the provider (and, unlike a new mapper version, without first deleting the
 * objects, which stay readable meanwhile).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../store/index.ts";
import { listFieldMappingsForConnection } from "../../store/repositories/field-mappings.ts";
import {
  deleteUnifiedObjectsOfStream,
  type NewUnifiedObject,
  readRecordChangesForUnified,
  readRecordStreamChanges,
  readUnifiedMarks,
  type UnifiedObjectKey,
  upsertUnifiedObjects,
  writeUnifiedMark,
} from "../../store/repositories/unified-objects.ts";
import {
  applyFieldMappings,
  type ModelMappingPlan,
  planFieldMappings,
} from "../../unified/field-mappings.ts";
import {
  type CrmModelName,
  type MappedObject,
  type MapperRegistry,
  mapContextOf,
  type UnifiedMapper,
  unifiedId,
} from "../../unified/mappers.ts";
import { getUnifiedModel } from "../../unified/registry.ts";

/**
 * Records read from the cache per step of a catch-up; each step is one transaction. Objects land all over
 * `unified_objects`' indexes (most are keyed by random UUIDs), so every transaction rewrites nearly as many
 * index pages whatever its size: at 100,000 contacts, steps of 10,000 instead of 1,000 wrote 2.2 instead of
 * 11.4 GB and mapped 2,090 instead of 1,282 objects/s (bench/unified-api's seed, a busy 2-core machine).
 */
const RECORDS_PER_STEP = 10_000;

export interface ProjectedConnection {
  id: string;
  provider: string;
}

/**
 * Brings the objects of these models (default: every model the provider maps) up to date with the records
 * cache, by mapping again what changed in their streams.
 */
export async function catchUpUnifiedObjects(
  db: Kysely<Database>,
  registry: MapperRegistry,
  connection: ProjectedConnection,
  models?: readonly CrmModelName[],
): Promise<void> {
  const all = registry.streamsOf(connection.provider);
  const streams = models
    ? all.filter((stream) =>
        models.some((model) => registry.find(connection.provider, model)?.stream === stream),
      )
    : all;
  if (streams.length === 0) return;
  const [changes, marks, mappings] = await Promise.all([
    readRecordStreamChanges(db, connection.id),
    readUnifiedMarks(db, connection.id),
    listFieldMappingsForConnection(db, connection.id),
  ]);
  const plans = planFieldMappings(mappings, connection);
  for (const stream of streams) {
    const changedAt = changes.get(stream);
    if (changedAt === undefined) continue;
    const mappers = registry.ofStream(connection.provider, stream);
    const mapperVersion = registry.versionOf(connection.provider, stream);
    const version = withMappings(mapperVersion, mappers, plans);
    const mark = marks.get(stream);
    // A new mapper may change which objects a record holds: start over. New field mappings only change
    // the objects' fields: map every record again over the objects in place.
    const rebuild = mark === undefined || mapperVersionOf(mark.mapperVersion) !== mapperVersion;
    const remap = !rebuild && mark.mapperVersion !== version;
    if (!rebuild && !remap && mark.syncedThrough >= changedAt) continue;
    if (rebuild) await deleteUnifiedObjectsOfStream(db, connection.id, stream);
    await mapStream(db, mappers, plans, connection.id, stream, {
      changedAfter: rebuild || remap ? null : mark.syncedThrough,
    });
    await writeUnifiedMark(db, connection.id, stream, { syncedThrough: changedAt, mapperVersion: version });
  }
}

/** Separates the field mappings' part of a stored version from the mappers' part. */
const MAPPINGS_MARK = "|field-mappings:";

/** The mappers' version, with the fingerprints of the field mappings of their models when there are any. */
function withMappings(
  mapperVersion: string,
  mappers: readonly UnifiedMapper[],
  plans: ReadonlyMap<CrmModelName, ModelMappingPlan>,
): string {
  const parts = mappers.flatMap((mapper) => {
    const plan = plans.get(mapper.model);
    return plan ? [`${mapper.model}=${plan.fingerprint}`] : [];
  });
  return parts.length === 0 ? mapperVersion : `${mapperVersion}${MAPPINGS_MARK}${parts.join(",")}`;
}

function mapperVersionOf(version: string): string {
  const at = version.indexOf(MAPPINGS_MARK);
  return at === -1 ? version : version.slice(0, at);
}

async function mapStream(
  db: Kysely<Database>,
  mappers: readonly UnifiedMapper[],
  plans: ReadonlyMap<CrmModelName, ModelMappingPlan>,
  connectionId: string,
  stream: string,
  options: { changedAfter: string | null },
): Promise<void> {
  const ctx = mapContextOf(connectionId);
  let after: { updatedAt: string; pk: string } | undefined;
  for (;;) {
    const records = await readRecordChangesForUnified(db, connectionId, stream, {
      changedAfter: options.changedAfter,
      ...(after !== undefined ? { after } : {}),
      limit: RECORDS_PER_STEP,
    });
    if (records.length === 0) return;
    const read: NewUnifiedObject[] = [];
    const keys: UnifiedObjectKey[] = [];
    const derived: NewUnifiedObject[] = [];
    for (const record of records) {
      const payload = JSON.parse(record.payload) as Record<string, unknown>;
      for (const mapper of mappers) {
        const plan = plans.get(mapper.model);
        for (const mapped of mapper.fromRecord(payload, ctx)) {
          // Derived objects (a deal's stage) have no payload of their own for a mapping to read.
          const object =
            plan && !mapped.derived
              ? { ...mapped, fields: applyFieldMappings(mapper.model, mapped.fields, payload, plan) }
              : mapped;
          const row = toRow(connectionId, stream, mapper.model, object, record);
          if (object.derived) derived.push(row);
          else {
            read.push(row);
            keys.push(...matchKeys(row.id, mapper.model, object.fields));
          }
        }
      }
    }
    await db.transaction().execute(async (trx) => {
      await upsertUnifiedObjects(trx, read, { derived: false, keys });
      await upsertUnifiedObjects(trx, derived, { derived: true });
    });
    const last = records[records.length - 1]!;
    after = { updatedAt: last.updatedAt, pk: last.pk };
  }
}

function toRow(
  connectionId: string,
  stream: string,
  model: string,
  object: MappedObject,
  record: { deleted: boolean; firstSeenAt: string; updatedAt: string },
): NewUnifiedObject {
  const { fields } = object;
  return {
    connection_id: connectionId,
    model,
    remote_id: object.remoteId,
    id: unifiedId(connectionId, object.idStream, object.remoteId),
    stream,
    // Merge's semantics: when Switchyard first stored the object, and when its copy last changed.
    created_at: object.derived ? record.updatedAt : record.firstSeenAt,
    modified_at: record.updatedAt,
    deleted: record.deleted && !object.derived ? 1 : 0,
    account_id: referenceId(fields.account),
    owner_id: referenceId(fields.owner),
    stage_id: referenceId(fields.stage),
    status: typeof fields.status === "string" ? fields.status : null,
    ...checkedFields(model, fields, object.derived ? undefined : object.remotePath),
  };
}

/** The bookkeeping fields of a served object, which reads take from the row's columns. */
const BOOKKEEPING = ["id", "remote_id", "created_at", "modified_at", "remote_was_deleted", "remote_data"];
/** Any values of the bookkeeping fields' types, to check the fields in the served object's shape. */
const PLACEHOLDERS = {
  id: "00000000-0000-0000-0000-000000000000",
  remote_id: "0",
  created_at: "2000-01-01T00:00:00.000Z",
  modified_at: "2000-01-01T00:00:00.000Z",
  remote_was_deleted: false,
  remote_data: null,
};

/**
 * The fields as stored: checked against the model's schema in the shape reads serve them, and then stored as
 * the check returned them (`checked` 1), so a list of checked objects is served from this text as is. Fields
 * that fail the check are stored as mapped (`checked` 0): reads parse and check them on every request, and
 * answer with the failure. The provider path rides along, last, for `remote_data` (null for derived objects,
 * which have no payload of their own).
 */
function checkedFields(
  model: string,
  fields: Record<string, unknown>,
  remotePath: string | undefined,
): { fields: string; checked: number } {
  const result = getUnifiedModel("crm", model).schema.safeParse({ ...fields, ...PLACEHOLDERS });
  if (!result.success) return { fields: JSON.stringify({ ...fields, remote_path: remotePath }), checked: 0 };
  const served: Record<string, unknown> = result.data;
  for (const key of BOOKKEEPING) delete served[key];
  served.remote_path = remotePath ?? null;
  return { fields: JSON.stringify(served), checked: 1 };
}

function referenceId(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/**
 * The values an object is found by: its lower-cased email addresses (a contact's list, a user's `email`) and
 * phone numbers; an account's lower-cased name (Merge's `name` filter); an opportunity's `remote_created_at`
 * (Merge's `remote_created_after`, a range of the keys' index).
 */
function matchKeys(id: string, model: CrmModelName, fields: Record<string, unknown>): UnifiedObjectKey[] {
  const valuesOf = (list: unknown, key: string) =>
    Array.isArray(list) ? list.map((item) => (item as Record<string, unknown> | null)?.[key]) : [];
  const keys = (kind: UnifiedObjectKey["kind"], values: unknown[], normal: (value: string) => string) =>
    [...new Set(values.filter((v): v is string => typeof v === "string" && v !== "").map(normal))].map(
      (value) => ({ id, kind, value }),
    );
  const lower = (value: string) => value.toLowerCase();
  return [
    ...keys("email", [...valuesOf(fields.email_addresses, "email_address"), fields.email], lower),
    ...keys("phone", valuesOf(fields.phone_numbers, "phone_number"), lower),
    ...(model === "Account" ? keys("name", [fields.name], lower) : []),
    ...(model === "Opportunity" ? keys("remote_created_at", [fields.remote_created_at], utcTime) : []),
  ];
}

/** An ISO 8601 time in the one UTC form keys compare in as text (mappers' times may carry an offset). */
function utcTime(value: string): string {
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time).toISOString() : value;
}
