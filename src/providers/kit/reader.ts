/**
 * The one reader of declared streams: it owns paging, resume and state. A read is one pass over the
 * stream's endpoint (then its deleted-records endpoint, if declared), yielding one page at a time with the
 * state that resumes right after it. The high-water mark moves only when the pass has finished.
 */
import type { ReadContext, StreamPage, SyncRecord } from "../../core/index.ts";
import { RecordInvalidError } from "../../core/index.ts";
import { createPaginator, type PaginationSpec, paginate } from "../../http/index.ts";
import { isDeletedByField, markDeleted } from "./delete-rule.ts";
import { deletedRecord, deletedSinceParam } from "./deleted-feed.ts";
import { applyCatalog, discoverFields, type FieldCatalog } from "./field-catalog.ts";
import { cursorParam, latestCursor } from "./incremental.ts";
import { startingPass, stateAfter } from "./pass.ts";
import { buildRequest, type ParsedRequestSpec } from "./request.ts";
import { type Pass, parseKitState, toStreamState } from "./state.ts";
import type { ParsedStreamSpec } from "./stream-spec.ts";

export type Clock = () => Date;

/** The endpoint a phase reads, and whether it takes the cursor parameter. */
interface PhaseEndpoint {
  request: ParsedRequestSpec;
  records: string;
  paginator: PaginationSpec;
  takesCursor: boolean;
}

/** Yields the stream's pages per ctx (mode, state, signal); the last page's state has no pass. */
export async function* readDeclaredStream(
  stream: ParsedStreamSpec,
  ctx: ReadContext,
  now: Clock,
): AsyncGenerator<StreamPage> {
  const saved = parseKitState(stream.name, ctx.state);
  const discovery = stream.schema.discover;
  const catalog = discovery ? await discoverFields(discovery, stream.schema.columns, ctx) : undefined;
  let pass: Pass | undefined = startingPass(saved, ctx.fullRefresh, now, stream.incremental?.lookbackSeconds);
  ctx.log.log(
    "info",
    `${stream.name}: reading ${pass.since ? `changes since ${pass.since}` : "every record"}`,
    {
      phase: pass.phase,
      resumed: pass.next !== undefined || pass.phase !== "records",
    },
  );
  while (pass) {
    let position: Pass = pass;
    const { phase } = position;
    const endpoint = endpointOf(stream, phase);
    const since = endpoint.takesCursor ? position.since : undefined;
    const rule = stream.deleted;
    const params =
      phase === "deleted" && rule?.type === "endpoint"
        ? deletedSinceParam(rule, stream.incremental, since)
        : since
          ? cursorParam(stream.incremental!, since)
          : {};
    const pages = paginate(
      ctx.http,
      buildRequest(endpoint.request, params, stream.incremental?.in),
      createPaginator(endpoint.paginator),
      { records: endpoint.records, resumeFrom: position.next, signal: ctx.signal },
    );
    // paginate always ends with the phase's last page (next undefined), which moves on to the next phase.
    pass = undefined;
    for await (const page of pages) {
      const records = page.records.flatMap((raw, index) => {
        const record = selectRecord(stream, catalog, endpoint, phase, raw, index);
        return record === undefined ? [] : [record];
      });
      position = { ...position, next: page.next, latest: latestOf(stream, position, records) };
      pass = page.next === undefined ? nextPhase(stream, position) : position;
      yield {
        records,
        state: toStreamState(stateAfter(saved, pass, position, stream.incremental !== undefined)),
      };
    }
  }
}

function endpointOf(stream: ParsedStreamSpec, phase: Pass["phase"]): PhaseEndpoint {
  const rule = stream.deleted;
  if (phase === "deleted" && rule?.type === "endpoint") {
    return {
      request: rule.request,
      records: rule.records ?? stream.records,
      paginator: rule.paginator ?? stream.paginator,
      takesCursor: rule.since !== false,
    };
  }
  return { request: stream.request, records: stream.records, paginator: stream.paginator, takesCursor: true };
}

/** The pass after its current phase ended: the deleted-records phase if declared, else none (finished). */
function nextPhase(stream: ParsedStreamSpec, pass: Pass): Pass | undefined {
  const rule = stream.deleted;
  // A feed of every change is read only since a time: a full pass marks deleted what it did not see anyway.
  if (rule?.type === "endpoint" && rule.where && pass.since === undefined) return undefined;
  if (pass.phase === "records" && rule?.type === "endpoint") {
    return { ...pass, phase: "deleted", next: undefined };
  }
  return undefined;
}

/** The pass's latest cursor value after these records (only the records phase moves it). */
function latestOf(stream: ParsedStreamSpec, pass: Pass, records: readonly SyncRecord[]): string | undefined {
  if (!stream.incremental || pass.phase !== "records") return pass.latest;
  const before = pass.latest === undefined ? undefined : Date.parse(pass.latest);
  const latest = latestCursor(stream.incremental, stream.name, records, before);
  return latest === undefined ? undefined : new Date(latest).toISOString();
}

/**
 * The record selector: each item must be an object; it is typed per the catalog and flagged per the rule. An
 * item of a deleted-records feed that is not a deletion is skipped (undefined).
 */
function selectRecord(
  stream: ParsedStreamSpec,
  catalog: FieldCatalog | undefined,
  endpoint: PhaseEndpoint,
  phase: Pass["phase"],
  raw: unknown,
  index: number,
): SyncRecord | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    const where = `${endpoint.request.path} at "${endpoint.records}"`;
    throw new RecordInvalidError(stream.name, `item #${index} of ${where} is not an object`, {
      index,
    });
  }
  let record = raw as SyncRecord;
  const rule = stream.deleted;
  if (phase === "deleted" && rule?.type === "endpoint") {
    const deleted = deletedRecord(rule, stream.primaryKey, record);
    if (deleted === undefined) return undefined;
    record = deleted;
  }
  if (catalog) record = applyCatalog(catalog, stream.schema.discover!, stream.name, record);
  if (rule) record = markDeleted(rule, record, phase === "deleted" || isDeletedByField(rule, record));
  return record;
}
