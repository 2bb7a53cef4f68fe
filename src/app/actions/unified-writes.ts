/**
 * Unified writes (Merge's POST and PATCH of contacts, accounts and opportunities): the provider's writer turns
 * the request's `model` into one of its typed actions, references resolved from Switchyard ids to the
 * provider's through the connection's unified objects; the action runs synchronously with the provider; the
 * written record goes into the records cache and the unified projection at once, so a read right after
 * returns it; the answer is the object as reads show it, with Merge's warnings for fields not written.
 */
import { SwitchyardError } from "../../core/index.ts";
import { RecordsCache } from "../../destinations/records-cache.ts";
import { prepareRecords, streamTargetOf } from "../../engine/index.ts";
import type { ConnectionRow } from "../../store/index.ts";
import { getUnifiedObjects, readRecordPayloads } from "../../store/repositories/unified-objects.ts";
import type { CrmModelName, MapperRegistry } from "../../unified/mappers.ts";
import {
  type ModelFields,
  type UnifiedWriter,
  type WritableModel,
  type WriteContext,
  WriteFieldError,
  type WriterRegistry,
} from "../../unified/writers.ts";
import { findProvider } from "../platform.ts";
import { catchUpUnifiedObjects } from "../unified/projection.ts";
import { listUnified } from "../unified/reads.ts";
import type { ProviderCallLog } from "./call-log.ts";
import { type ActionDeps, runAction } from "./run-action.ts";

export interface UnifiedWriteDeps extends ActionDeps {
  mappers: MapperRegistry;
  writers: WriterRegistry;
}

/** Merge's `WarningValidationProblem`. */
export interface WriteWarning {
  source?: { pointer: string };
  title: string;
  detail: string;
  problem_type: string;
}

export interface UnifiedWriteResult {
  /** The object as reads show it (or, when the provider has no read mapper yet, its `remote_id`). */
  model: Record<string, unknown>;
  warnings: WriteWarning[];
  /** The provider calls the write made, when asked for (`debug`). */
  logs?: ProviderCallLog[];
}

/** How a write runs: `debug` (Merge's `is_debug_mode`) reports the provider calls it made. */
export interface UnifiedWriteOptions {
  debug?: boolean;
}

/** The provider's writer of the model; not_found when the linked account's provider cannot write it. */
export function writerFor(
  writers: WriterRegistry,
  connection: ConnectionRow,
  model: WritableModel,
): UnifiedWriter {
  const writer = writers.find(connection.provider, model);
  if (!writer) {
    throw new SwitchyardError(
      "not_found",
      `Writing ${model} objects is not supported for ${connection.provider} linked accounts yet.`,
      {
        hint: "The meta endpoints (`GET /api/crm/v1/<model>/meta/post`) say what can be written.",
      },
    );
  }
  return writer;
}

/** Creates an object of `model` with the request's fields. */
export async function createUnified(
  deps: UnifiedWriteDeps,
  connection: ConnectionRow,
  model: WritableModel,
  fields: ModelFields,
  options: UnifiedWriteOptions = {},
): Promise<UnifiedWriteResult> {
  const writer = writerFor(deps.writers, connection, model);
  const call = await writer.create(fields, writeContext(deps, connection));
  return finishWrite(deps, connection, writer, call, fields, undefined, options);
}

/** Changes the request's fields of the object with Switchyard id `id`; not_found when the account has none. */
export async function updateUnified(
  deps: UnifiedWriteDeps,
  connection: ConnectionRow,
  model: WritableModel,
  id: string,
  fields: ModelFields,
  options: UnifiedWriteOptions = {},
): Promise<UnifiedWriteResult> {
  const writer = writerFor(deps.writers, connection, model);
  const remoteId = await remoteIdOf(deps, connection, model, id);
  if (remoteId === undefined) {
    throw new SwitchyardError("not_found", `No ${model} with id ${id} in this linked account.`, {
      hint: "Use the `id` a list returned (the provider's id is `remote_id`), with the account token it came from.",
    });
  }
  const [payload] = (await readRecordPayloads(deps.db, connection.id, writer.stream, [remoteId])).values();
  const previous = payload === undefined ? undefined : (JSON.parse(payload) as Record<string, unknown>);
  const call = await writer.update(remoteId, fields, writeContext(deps, connection), previous);
  return finishWrite(deps, connection, writer, call, fields, previous, options);
}

async function finishWrite(
  deps: UnifiedWriteDeps,
  connection: ConnectionRow,
  writer: UnifiedWriter,
  call: { action: string; input: Record<string, unknown> },
  fields: ModelFields,
  previous: Record<string, unknown> | undefined,
  options: UnifiedWriteOptions,
): Promise<UnifiedWriteResult> {
  const logs: ProviderCallLog[] | undefined = options.debug ? [] : undefined;
  const output = await runAction(deps, connection, call.action, call.input, logs);
  const record = writer.toRecord({ output, input: call.input, previous });
  const remoteId = await cacheRecord(deps, connection, writer.stream, record);
  return {
    model: await readBack(deps, connection, writer.model, remoteId),
    warnings: ignoredFields(writer, fields),
    ...(logs ? { logs } : {}),
  };
}

/** Upserts the written record into the records cache, as a sync would; returns its primary key. */
async function cacheRecord(
  deps: UnifiedWriteDeps,
  connection: ConnectionRow,
  streamName: string,
  record: Record<string, unknown>,
): Promise<string> {
  const provider = findProvider(deps.providers, connection.provider);
  const stream = provider.streams.find((candidate) => candidate.name === streamName);
  if (!stream)
    throw new SwitchyardError(
      "internal",
      `${provider.name} has no stream "${streamName}" to cache a write in.`,
    );
  const target = streamTargetOf(provider.name, stream);
  const [prepared] = prepareRecords(stream, [record as never]);
  await new RecordsCache(deps.db).write({
    connectionId: connection.id,
    target,
    records: [prepared!],
    syncedAt: new Date(),
  });
  return prepared!.pk;
}

/** The written object as reads show it, projected from the cache at once. */
async function readBack(
  deps: UnifiedWriteDeps,
  connection: ConnectionRow,
  model: WritableModel,
  remoteId: string,
): Promise<Record<string, unknown>> {
  if (!deps.mappers.find(connection.provider, model)) return { remote_id: remoteId };
  const page = await listUnified(deps.db, deps.mappers, connection, model, {
    pageSize: 1,
    filters: { includeDeleted: true, remoteId },
    expand: [],
    includeRemoteData: false,
  });
  return page.results[0] ?? { remote_id: remoteId };
}

/** The provider's id of the connection's object of `model` with Switchyard id `id`, if it has one. */
async function remoteIdOf(
  deps: UnifiedWriteDeps,
  connection: ConnectionRow,
  model: CrmModelName,
  id: string,
): Promise<string | undefined> {
  if (deps.mappers.find(connection.provider, model)) {
    await catchUpUnifiedObjects(deps.db, deps.mappers, connection, [model]);
  }
  const [row] = await getUnifiedObjects(deps.db, connection.id, [id]);
  return row && row.model === model ? row.remote_id : undefined;
}

function writeContext(deps: UnifiedWriteDeps, connection: ConnectionRow): WriteContext {
  return {
    async remoteIdOf(model, id, field) {
      const remoteId = await remoteIdOf(deps, connection, model, id);
      if (remoteId === undefined) {
        throw new WriteFieldError(
          field,
          `\`${field}\`: no ${model} with id ${id} in this linked account.`,
          "References take Switchyard's `id` of the object (as lists return it), not its `remote_id`.",
        );
      }
      return remoteId;
    },
  };
}

/** Fields the request sets that the provider's writer does not write: Merge's warnings, one per field. */
function ignoredFields(writer: UnifiedWriter, fields: ModelFields): WriteWarning[] {
  return Object.entries(fields)
    .filter(
      ([name, value]) =>
        value !== undefined && value !== null && !isEmptyList(value) && !writer.fields.includes(name),
    )
    .map(([name]) => ({
      source: { pointer: `model/${name}` },
      title: "Unsupported Field",
      detail: `${writer.provider} does not take \`${name}\` for ${writer.model} writes; it was ignored.`,
      problem_type: "UNSUPPORTED_FIELD",
    }));
}

function isEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}
