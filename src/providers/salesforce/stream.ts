/**
 * One sObject as a stream. It is written by hand (the kit's escape hatch) because SOQL puts both the
 * SELECT list, which comes from describe, and the incremental cursor into the one `q` parameter. It reuses
 * the kit's checkpoint (`kitStateSchema`: high-water mark plus the pass under way) and the HTTP client's
 * next-URL paging over `nextRecordsUrl`:
 * - a first or full read runs `query` (live rows; the engine deletes what a full read did not see);
 * - an incremental read runs `queryAll` with `SystemModstamp >= mark - lookback`, so rows deleted since
 *   come back with IsDeleted = true, which is the stream's deleted field (Users have no IsDeleted: `query`);
 * - the mark moves only when a pass has finished, never past the pass's start.
 */
import type { ReadContext, StreamDefinition, StreamPage, SyncRecord } from "../../core/index.ts";
import { ProviderRequestError, RecordInvalidError } from "../../core/index.ts";
import { createPaginator, paginate } from "../../http/index.ts";
import { kitStateSchema, parseKitState } from "../kit/index.ts";
import { startingPass, stateAfter } from "../kit/pass.ts";
import type { Clock } from "../kit/reader.ts";
import { toStreamState } from "../kit/state.ts";
import { convertValue } from "../kit/value-types.ts";
import { DATA_PATH } from "./api.ts";
import { describeFields, type ObjectField } from "./describe.ts";
import type { SObjectSpec } from "./objects.ts";
import { syncQuery } from "./soql.ts";

/** Each incremental read starts this far before the mark: changes commit late, clocks drift. */
export const LOOKBACK_SECONDS = 60;
const CURSOR_FIELD = "SystemModstamp";

export function sObjectStream(spec: SObjectSpec, options: { now?: Clock } = {}): StreamDefinition {
  const now = options.now ?? (() => new Date());
  return {
    name: spec.stream,
    primaryKey: spec.primaryKey ?? "Id",
    cursorField: CURSOR_FIELD,
    ...(spec.deletable ? { deletedField: "IsDeleted" } : {}),
    schema: { columns: spec.columns },
    stateSchema: kitStateSchema,
    read: (ctx) => readSObject(spec, ctx, now),
  };
}

async function* readSObject(spec: SObjectSpec, ctx: ReadContext, now: Clock): AsyncGenerator<StreamPage> {
  const saved = parseKitState(spec.stream, ctx.state);
  const fields = await describeFields(ctx.http, spec.object, ctx.signal);
  const pass = startingPass(saved, ctx.fullRefresh, now, LOOKBACK_SECONDS);
  const scanAll = pass.since !== undefined && spec.deletable;
  ctx.log.log(
    "info",
    `${spec.stream}: reading ${pass.since ? `changes since ${pass.since}` : "every record"}`,
    {
      fields: fields.length,
      custom: fields.filter((field) => field.custom).map((field) => field.name),
      resumed: pass.next !== undefined,
    },
  );
  const first = {
    path: `${DATA_PATH}/${scanAll ? "queryAll" : "query"}`,
    query: { q: syncQuery(spec.object, fields, pass.since) },
  };
  let position = pass;
  for (let restarted = false; ; restarted = true) {
    const pages = paginate(
      ctx.http,
      first,
      createPaginator({ type: "next_url", nextPath: "nextRecordsUrl" }),
      {
        records: "records",
        resumeFrom: position.next,
        signal: ctx.signal,
      },
    );
    try {
      for await (const page of pages) {
        const records = page.records.map((raw, index) => toRecord(spec, fields, raw, index));
        position = { ...position, next: page.next, latest: latestOf(spec, records, position.latest) };
        const after = page.next === undefined ? undefined : position;
        yield { records, state: toStreamState(stateAfter(saved, after, position, true)) };
      }
      return;
    } catch (error) {
      if (restarted || position.next === undefined || !isExpiredLocator(error)) throw error;
      // Locators live 15 idle minutes: the pass is read again from its first batch (same since, same start);
      // the records read twice are upserts.
      ctx.log.log(
        "warn",
        `${spec.stream}: the saved query locator has expired; reading this pass again from its first batch`,
      );
      position = { ...position, next: undefined };
    }
  }
}

/** Salesforce's 400 INVALID_QUERY_LOCATOR ("invalid query locator"). */
function isExpiredLocator(error: unknown): boolean {
  return (
    error instanceof ProviderRequestError &&
    error.details?.status === 400 &&
    /query locator/i.test(error.message)
  );
}

function latestOf(
  spec: SObjectSpec,
  records: readonly SyncRecord[],
  latest: string | undefined,
): string | undefined {
  let max = latest === undefined ? undefined : Date.parse(latest);
  for (const record of records) {
    const value = record[CURSOR_FIELD];
    const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(ms)) {
      throw new RecordInvalidError(
        spec.stream,
        `record ${JSON.stringify(record.Id)} has no ${CURSOR_FIELD} time`,
        {
          cursorField: CURSOR_FIELD,
        },
      );
    }
    if (max === undefined || ms > max) max = ms;
  }
  return max === undefined ? undefined : new Date(max).toISOString();
}

/** A query row as a record: `attributes` (type and URL) dropped, every described field typed. */
function toRecord(
  spec: SObjectSpec,
  fields: readonly ObjectField[],
  raw: unknown,
  index: number,
): SyncRecord {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new RecordInvalidError(spec.stream, `row #${index} of the ${spec.object} query is not an object`, {
      index,
    });
  }
  const { attributes: _attributes, ...record } = raw as SyncRecord;
  for (const field of fields) {
    if (!Object.hasOwn(record, field.name)) continue;
    const converted = convertValue(record[field.name], field.column);
    if (!converted.ok) {
      throw new RecordInvalidError(
        spec.stream,
        `record ${JSON.stringify(record.Id)}: field ${field.name} ${converted.problem}`,
        {
          field: field.name,
        },
      );
    }
    record[field.name] = converted.value;
  }
  return record;
}
