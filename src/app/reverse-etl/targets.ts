/**
 * Where a reverse-ETL sync writes, behind one interface: a provider's own object through its typed actions
 * (create/update/delete by name), or a unified Common Model through the provider's unified writer (so one
 * sync definition serves whichever CRM the connection is). Every write goes through runAction: the
 * connection's HTTP client with its retries and the account's shared rate-limit budget.
 */
import { type CreateCheck, SwitchyardError } from "../../core/index.ts";
import type { SyncTarget } from "../../flows/reverse-etl/definitions.ts";
import { checkPath, valueAt } from "../../flows/reverse-etl/mapping.ts";
import type { ConnectionRow } from "../../store/index.ts";
import { getUnifiedObjects } from "../../store/repositories/unified-objects.ts";
import type { WriteContext } from "../../unified/writers.ts";
import { describeAction } from "../actions/catalog.ts";
import { findAction } from "../actions/run-action.ts";
import { type UnifiedWriteDeps, writerFor } from "../actions/unified-writes.ts";
import { findProvider } from "../platform.ts";
import { type ActionCall, type CallResult, type RunCallsOptions, runCalls } from "./batch-calls.ts";
import { checkCreates, checksCreates } from "./created-lookup.ts";
import { upsertActionFor } from "./upsert-key.ts";

export type TargetDeps = UnifiedWriteDeps;

/** Requests a target keeps in flight at once; each waits for the account's shared budget. */
const CONCURRENCY = 4;

/** Runs the calls (batched where the provider can) and turns each output into a write result. */
async function written(
  deps: TargetDeps,
  connection: ConnectionRow,
  calls: readonly ActionCall[],
  idOf: (output: unknown, index: number) => string,
  send: RunCallsOptions,
): Promise<WriteResult[]> {
  const results: CallResult[] = await runCalls(deps, connection, calls, send);
  return results.map((result, index) => {
    if (!result.ok) return result;
    try {
      return { ok: true, remoteId: idOf(result.output, index) };
    } catch (error) {
      return { ok: false, error };
    }
  });
}

/** One row's write at the provider: done (with the record's id for a create), or refused with why. */
export type WriteResult = { ok: true; remoteId: string } | { ok: false; error: unknown };

/**
 * A reverse-ETL sync's target: writes many rows at once, through the provider's batch actions where it has
 * them. Each method answers one result per item, in order; it throws only for errors that fail every row.
 */
export interface WriteTarget {
  /** `hubspot create_contact/update_contact`, `Contact through pipedrive`: for messages. */
  describe: string;
  /** Why mirror mode cannot delete here, or undefined when it can. */
  cannotDelete: string | undefined;
  /** The stream whose cached records a natural key is looked up in, when the target implies one. */
  stream: string | undefined;
  /** Why the dotted path is not a field the target takes, or undefined. */
  checkField(path: string): string | undefined;
  /**
   * Creates records; each ok result holds the new record's provider id. `beforeSend` gets the items' indexes
   * right before each request that sends them.
   */
  createMany(
    items: readonly Fields[],
    options?: { beforeSend?: RunCallsOptions["beforeSend"] },
  ): Promise<WriteResult[]>;
  updateMany(items: readonly { remoteId: string; fields: Fields }[]): Promise<WriteResult[]>;
  deleteMany(remoteIds: readonly string[]): Promise<WriteResult[]>;
  /** Whether a create sent twice makes one record (an upsert on a key the create sets). */
  idempotentCreates?(): Promise<boolean>;
  /**
   * Looks up, at the provider, the records that creates sent earlier (whose answers were lost) would have
   * made, keyed on `keyField` (the sync's natural-key field) when the create sets it (created-lookup.ts);
   * one answer per item. Undefined when the provider's creates cannot be looked up.
   */
  checkCreated?(items: readonly Fields[], keyField?: string): Promise<CreateCheck[]>;
}

type Fields = Record<string, unknown>;

/** How a target sends: requests in flight, rows per batch request, and a signal that stops sending. */
export type SendOptions = RunCallsOptions & {
  /** The sync's natural-key field: creates upsert on it where the provider can (upsert-key.ts). */
  upsertKey?: string | undefined;
};

/**
 * The target a sync writes to. A write not sent because `options.signal` stopped the run answers a
 * `run_aborted` error (isNotSent), so the caller leaves that row for the next run.
 */
export function resolveTarget(
  deps: TargetDeps,
  connection: ConnectionRow,
  target: SyncTarget,
  options: SendOptions = {},
): WriteTarget {
  const { upsertKey, ...sendOptions } = options;
  const send = { concurrency: CONCURRENCY, ...sendOptions };
  return target.type === "actions"
    ? actionsTarget(deps, connection, target, send, upsertKey)
    : unifiedTarget(deps, connection, target.model, send);
}

function actionsTarget(
  deps: TargetDeps,
  connection: ConnectionRow,
  target: Extract<SyncTarget, { type: "actions" }>,
  send: RunCallsOptions,
  upsertKey: string | undefined,
): WriteTarget {
  const provider = connection.provider;
  const create = findAction(deps.providers, provider, target.create).action;
  const update = findAction(deps.providers, provider, target.update).action;
  const remove = target.delete ? findAction(deps.providers, provider, target.delete).action : undefined;
  const updateSchema = describeAction(update).input_schema;
  const idType = ((updateSchema.properties ?? {}) as Record<string, { type?: string }>)[target.id_field]
    ?.type;
  if (idType === undefined) {
    throw new SwitchyardError(
      "request_invalid",
      `${provider}'s ${update.name} takes no "${target.id_field}" field for the record's id.`,
      {
        hint: "Set `target.id_field` to the update action's id field (GET /v1/providers/{provider}/actions).",
      },
    );
  }
  // Ids are kept as text; actions whose id is a number get it as one.
  const idOf = (remoteId: string) =>
    idType === "integer" || idType === "number" ? Number(remoteId) : remoteId;
  const actions = (findProvider(deps.providers, provider).actions ?? []).map((a) => a.name);
  let upsert: Promise<string | undefined> | undefined;
  const upsertAction = () =>
    (upsert ??= upsertKey
      ? upsertActionFor(deps, connection, create.name, upsertKey)
      : Promise.resolve(undefined));
  return {
    describe: `${provider} ${create.name}/${update.name}`,
    cannotDelete: remove
      ? undefined
      : `mirror mode deletes what left the model, and this target names no delete action (\`target.delete\`); ${provider}'s actions are: ${actions.join(", ")}`,
    stream: undefined,
    checkField(path) {
      return checkPath(describeAction(create).input_schema, path) ?? checkPath(updateSchema, path);
    },
    ...(checksCreates(deps.providers, provider)
      ? {
          checkCreated: (items, keyField) =>
            checkCreates(
              deps,
              connection,
              items.map((fields) => ({ action: create.name, input: fields })),
              keyField,
            ),
        }
      : {}),
    async idempotentCreates() {
      return (await upsertAction()) !== undefined;
    },
    async createMany(items, options) {
      const upsertBy = await upsertAction();
      return written(
        deps,
        connection,
        items.map((fields) =>
          upsertBy
            ? { action: upsertBy, input: { by: upsertKey, record: fields } }
            : { action: create.name, input: fields },
        ),
        (output) => {
          const id = valueAt(output, target.id_from);
          if (typeof id !== "string" && typeof id !== "number") {
            throw new SwitchyardError(
              "provider_response_malformed",
              `${create.name}'s answer has no id at "${target.id_from}".`,
              {
                hint: "Set `target.id_from` to where the create action's output holds the new record's id.",
              },
            );
          }
          return String(id);
        },
        { ...send, beforeSend: options?.beforeSend },
      );
    },
    updateMany(items) {
      return written(
        deps,
        connection,
        items.map(({ remoteId, fields }) => ({
          action: update.name,
          input: { ...fields, [target.id_field]: idOf(remoteId) },
        })),
        (_output, index) => items[index]!.remoteId,
        send,
      );
    },
    deleteMany(remoteIds) {
      if (!remove)
        throw new SwitchyardError("internal", "deleteMany called on a target without a delete action.");
      return written(
        deps,
        connection,
        remoteIds.map((remoteId) => ({ action: remove.name, input: { [target.id_field]: idOf(remoteId) } })),
        (_output, index) => remoteIds[index]!,
        send,
      );
    },
  };
}

function unifiedTarget(
  deps: TargetDeps,
  connection: ConnectionRow,
  model: "Contact" | "Account" | "Opportunity",
  send: RunCallsOptions,
): WriteTarget {
  const writer = writerFor(deps.writers, connection, model);
  const stream = findProvider(deps.providers, connection.provider).streams.find(
    (s) => s.name === writer.stream,
  );
  if (!stream)
    throw new SwitchyardError("internal", `${connection.provider} has no stream "${writer.stream}".`);
  // References (`account`, `owner`) take Switchyard's id of the object, as in the unified API's writes.
  const ctx: WriteContext = {
    async remoteIdOf(_model, id, field) {
      const [row] = await getUnifiedObjects(deps.db, connection.id, [id]);
      if (!row)
        throw new SwitchyardError(
          "request_invalid",
          `\`${field}\`: no object with id ${id} in this connection.`,
        );
      return row.remote_id;
    },
  };
  return {
    describe: `${model} through ${connection.provider}`,
    cannotDelete: writer.delete
      ? undefined
      : `mirror mode deletes what left the model, and ${connection.provider}'s unified ${model} writes have no delete yet`,
    stream: writer.stream,
    ...(checksCreates(deps.providers, connection.provider)
      ? {
          async checkCreated(items, keyField) {
            // The calls the writer builds for these rows, as they were sent.
            const built = await Promise.all(
              items.map(async (fields) => {
                try {
                  const call = await writer.create(fields, ctx);
                  return { action: call.action, input: call.input as Fields };
                } catch (error) {
                  return { error };
                }
              }),
            );
            const sent = built.flatMap((entry) => ("error" in entry ? [] : [entry]));
            const checks = await checkCreates(deps, connection, sent, keyField);
            let at = 0;
            return built.map(
              (entry): CreateCheck =>
                "error" in entry
                  ? { unchecked: entry.error instanceof Error ? entry.error.message : String(entry.error) }
                  : checks[at++]!,
            );
          },
        }
      : {}),
    checkField(path) {
      const [field] = path.split(".");
      return writer.fields.includes(field!)
        ? undefined
        : `"${field}" is not a ${model} field ${connection.provider} writes; it writes: ${writer.fields.join(", ")}`;
    },
    createMany(items, options) {
      return writtenCalls(
        deps,
        connection,
        items.map((fields) => () => writer.create(fields, ctx)),
        (output, call) =>
          String(
            writer.toRecord({ output, input: call.input as Record<string, unknown> })[stream.primaryKey],
          ),
        { ...send, beforeSend: options?.beforeSend },
      );
    },
    updateMany(items) {
      return writtenCalls(
        deps,
        connection,
        items.map(
          ({ remoteId, fields }) =>
            () =>
              writer.update(remoteId, fields, ctx),
        ),
        (_output, _call, index) => items[index]!.remoteId,
        send,
      );
    },
    deleteMany(remoteIds) {
      const remove = writer.delete?.bind(writer);
      if (!remove) throw new SwitchyardError("internal", "deleteMany called on a target that cannot delete.");
      return writtenCalls(
        deps,
        connection,
        remoteIds.map((remoteId) => async () => remove(remoteId)),
        (_output, _call, index) => remoteIds[index]!,
        send,
      );
    },
  };
}

/**
 * Builds each row's call (a row whose fields the writer refuses fails alone, with why), then writes the
 * calls that were built.
 */
async function writtenCalls(
  deps: TargetDeps,
  connection: ConnectionRow,
  builders: readonly (() => Promise<ActionCall>)[],
  idOf: (output: unknown, call: ActionCall, index: number) => string,
  send: RunCallsOptions,
): Promise<WriteResult[]> {
  const built = await Promise.all(
    builders.map(async (build) => {
      try {
        return { call: await build() };
      } catch (error) {
        return { error };
      }
    }),
  );
  const indexes = built.flatMap((entry, index) => ("call" in entry ? [index] : []));
  const calls = indexes.map((index) => (built[index] as { call: ActionCall }).call);
  // The hook is told the builders' indexes, not those of the calls that were built.
  const { beforeSend } = send;
  const sent = await written(
    deps,
    connection,
    calls,
    (output, at) => idOf(output, calls[at]!, indexes[at]!),
    {
      ...send,
      beforeSend: beforeSend && ((at: readonly number[]) => beforeSend(at.map((i) => indexes[i]!))),
    },
  );
  const results: WriteResult[] = built.map((entry) =>
    "error" in entry ? { ok: false, error: entry.error } : { ok: false, error: undefined },
  );
  indexes.forEach((index, at) => {
    results[index] = sent[at]!;
  });
  return results;
}
