/**
 * Runs many action calls for one connection, through the provider's batch actions where it declares them
 * (`ActionDefinition.batchOf`), else one call at a time. Every request goes through runAction: the
 * connection's HTTP client, its retries and the account's shared rate-limit budget.
 *
 * Guarantees:
 * - One result per call, in order: the action's output, or why the provider refused that call (its own
 *   message). A refused call never fails the others.
 * - A batch the provider refuses as a whole (one bad input makes HubSpot's batch create answer 400) is split
 *   in halves until the inputs at fault are alone, so every good input is still written and the bad one gets
 *   the provider's message for it.
 * - A create goes through the batch action that is idempotent by a key (HubSpot's upsert by email) when the
 *   provider has one, so a batch sent again after a crash updates what the first one created.
 * - Errors that would fail every call alike (credentials, an abort) are thrown, not recorded per call.
 */
import { type ActionDefinition, SwitchyardError } from "../../core/index.ts";
import type { ConnectionRow } from "../../store/index.ts";
import { ActionRefusedError } from "../actions/errors.ts";
import { type ActionDeps, runAction } from "../actions/run-action.ts";
import { findProvider } from "../platform.ts";

export interface ActionCall {
  action: string;
  input: unknown;
}

export type CallResult = { ok: true; output: unknown } | { ok: false; error: unknown };

export interface RunCallsOptions {
  /** Requests in flight at once (default 4); each still waits for the account's budget. */
  concurrency?: number;
  /** Inputs per batch request at most (default: the batch action's own maximum). */
  maxBatch?: number;
  /** Stops sending: calls not sent yet answer a `run_aborted` error (see isNotSent). */
  signal?: AbortSignal | undefined;
  /** Called with the calls' indexes right before each request that sends them (reverse ETL marks creates in flight). */
  beforeSend?: ((indexes: readonly number[]) => Promise<void>) | undefined;
}

/** Errors that fail every row alike: the run stops instead of failing each. */
const RUN_FATAL = new Set(["credentials_rejected", "reauthorization_required", "run_aborted"]);

export function isRunFatal(error: unknown): boolean {
  return error instanceof SwitchyardError && RUN_FATAL.has(error.code);
}

/** The batch action that writes many of `action`'s calls, preferring one idempotent by a key; or undefined. */
export function batchActionFor(
  actions: readonly ActionDefinition[],
  action: string,
): ActionDefinition | undefined {
  const batches = actions.filter((candidate) => candidate.batchOf?.action === action);
  return batches.find((candidate) => candidate.batchOf?.idempotentBy) ?? batches[0];
}

/** Runs the calls (batched where the provider can) and answers one result per call, in order. */
export async function runCalls(
  deps: ActionDeps,
  connection: ConnectionRow,
  calls: readonly ActionCall[],
  options: RunCallsOptions = {},
): Promise<CallResult[]> {
  const actions = findProvider(deps.providers, connection.provider).actions ?? [];
  const results: CallResult[] = new Array(calls.length);
  const tasks: (() => Promise<void>)[] = [];
  const byAction = new Map<string, number[]>();
  calls.forEach((call, index) => {
    byAction.set(call.action, [...(byAction.get(call.action) ?? []), index]);
  });
  for (const [action, indexes] of byAction) {
    const batch = batchActionFor(actions, action);
    const max = Math.max(1, Math.min(batch?.batchOf?.maxInputs ?? 1, options.maxBatch ?? Infinity));
    for (let start = 0; start < indexes.length; start += max) {
      const chunk = indexes.slice(start, start + max);
      tasks.push(async () => {
        await options.beforeSend?.(chunk);
        const answers = batch
          ? await sendBatch(
              deps,
              connection,
              batch,
              chunk.map((index) => calls[index]!.input),
            )
          : [await sendOne(deps, connection, action, calls[chunk[0]!]!.input)];
        chunk.forEach((index, at) => {
          results[index] = answers[at]!;
        });
      });
    }
  }
  await pool(tasks, Math.max(1, options.concurrency ?? 4), options.signal);
  const notSent = abortedError();
  return Array.from(results, (result) => result ?? { ok: false, error: notSent });
}

async function sendOne(
  deps: ActionDeps,
  connection: ConnectionRow,
  action: string,
  input: unknown,
): Promise<CallResult> {
  try {
    return { ok: true, output: await runAction(deps, connection, action, input) };
  } catch (error) {
    if (isRunFatal(error)) throw error;
    return { ok: false, error };
  }
}

/** One batch request; a batch refused as a whole is split in halves until the inputs at fault are alone. */
async function sendBatch(
  deps: ActionDeps,
  connection: ConnectionRow,
  batch: ActionDefinition,
  inputs: readonly unknown[],
): Promise<CallResult[]> {
  const of = batch.batchOf!.action;
  try {
    const output = (await runAction(deps, connection, batch.name, { inputs })) as {
      results: ({ ok: true; output: unknown } | { ok: false; status: number; message: string })[];
    };
    return output.results.map((result) =>
      result.ok
        ? { ok: true, output: result.output }
        : {
            ok: false,
            error: new ActionRefusedError(connection.provider, of, result.status, result.message),
          },
    );
  } catch (error) {
    if (isRunFatal(error)) throw error;
    const refusedAsWhole =
      error instanceof ActionRefusedError ||
      (error instanceof SwitchyardError && error.code === "request_invalid");
    if (!refusedAsWhole) return inputs.map(() => ({ ok: false, error }));
    if (inputs.length === 1) return [{ ok: false, error: singleRefusal(error, connection.provider, of) }];
    const half = Math.ceil(inputs.length / 2);
    return [
      ...(await sendBatch(deps, connection, batch, inputs.slice(0, half))),
      ...(await sendBatch(deps, connection, batch, inputs.slice(half))),
    ];
  }
}

/** A lone input's refusal, named after the single action it stands for. */
function singleRefusal(error: unknown, provider: string, action: string): unknown {
  return error instanceof ActionRefusedError
    ? new ActionRefusedError(provider, action, error.providerStatus, error.providerMessage)
    : error;
}

function abortedError(): SwitchyardError {
  return new SwitchyardError("run_aborted", "The reverse-ETL run was stopped before it finished.", {
    hint: "Rows written so far are in the snapshot; the next run sends the rest.",
  });
}

/** The provider answered 404: the record is not there (any more); for a delete, what was asked holds. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ActionRefusedError && error.providerStatus === 404;
}

/**
 * The call was sent and no usable answer came back (retries ran out on timeouts or 5xx, or the answer was
 * unreadable): the provider may have done the write.
 */
export function isUnanswered(error: unknown): boolean {
  return (
    error instanceof SwitchyardError &&
    (error.code === "provider_unavailable" || error.code === "provider_response_malformed")
  );
}

/** The call was not sent: the run was stopped first. Not the provider's refusal. */
export function isNotSent(error: unknown): boolean {
  return error instanceof SwitchyardError && error.code === "run_aborted";
}

/**
 * Runs the tasks, `concurrency` at a time; the first error stops new tasks and is thrown once all settled;
 * an abort stops new tasks (those running finish).
 */
async function pool(
  tasks: readonly (() => Promise<void>)[],
  concurrency: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < tasks.length && !signal?.aborted) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  if (failure) throw failure.error;
}
