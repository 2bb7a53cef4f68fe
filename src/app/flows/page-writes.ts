/**
 * The writes of one page of a flow's changes, made together: each side's creates, updates and deletes go
 * through its write target's many-at-once methods (reverse ETL's targets and batching, batch-calls.ts), so a
 * provider with batch actions (`batchOf`) gets a few batch requests instead of one request per record. Then
 * each record's link, counts and per-row result are saved.
 *
 * Guarantees:
 * - A record whose writes all succeeded is linked with what was written (a carried delete unlinks it); one
 *   whose write was refused is recorded with the provider's message and marked for a retry, and never holds
 *   back the others. A delete of a record that is gone already (404) counts as done.
 * - An error that fails every write alike (credentials, an abort) stops sending, but what was written before
 *   it is still linked, then the error is thrown; a write not sent leaves its record for the next run.
 */
import { SwitchyardError } from "../../core/index.ts";
import type { SideName } from "../../flows/app-to-app/definitions.ts";
import { type FieldValues, type Plan, valuesHash } from "../../flows/app-to-app/reconcile.ts";
import {
  clearRetry,
  deleteLink,
  type Link,
  linksBy,
  markRetry,
  saveLink,
} from "../../flows/app-to-app/store.ts";
import { buildFields } from "../../flows/reverse-etl/mapping.ts";
import { isNotFound, isNotSent } from "../reverse-etl/batch-calls.ts";
import { failureMessage } from "../reverse-etl/run.ts";
import type { WriteResult } from "../reverse-etl/targets.ts";
import { type RunContext, recordRow } from "./context.ts";

/** A changed record's decided writes, made with the rest of its page. */
export interface PendingWrite {
  /** The side whose record changed, and that record. */
  side: SideName;
  pk: string;
  link: Link | undefined;
  /** Read again because it failed last time (cleared once written). */
  retry: boolean;
  change: { plan: Plan } | { remove: SideName; remoteId: string };
}

type Op = "create" | "update" | "delete";
type Fields = Record<string, unknown>;

interface Job {
  item: number;
  side: SideName;
  op: Op;
  remoteId: string | undefined;
  fields: Fields | undefined;
  result?: WriteResult;
}

/** Makes the page's writes, batched per side and operation, then saves each record's outcome. */
export async function writePage(ctx: RunContext, pending: readonly PendingWrite[]): Promise<void> {
  const jobs = jobsOf(pending);
  let fatal: { error: unknown } | undefined;
  for (const side of ["to", "from"] as const) {
    for (const op of ["create", "update", "delete"] as const) {
      const group = jobs.filter((job) => job.side === side && job.op === op);
      if (group.length === 0 || fatal) continue;
      try {
        const results = await send(ctx, side, op, group);
        group.forEach((job, index) => {
          job.result = results[index];
        });
      } catch (error) {
        fatal = { error };
      }
    }
  }
  let notSent = false;
  for (const [item, write] of pending.entries()) {
    const mine = jobs.filter((job) => job.item === item);
    if (mine.some((job) => !job.result || (!job.result.ok && isNotSent(job.result.error)))) {
      notSent = true;
      continue;
    }
    await settle(ctx, write, mine);
  }
  if (fatal) throw fatal.error;
  if (notSent)
    throw new SwitchyardError("run_aborted", "The flow run was stopped before it finished.", {
      hint: "What was written is linked; the next run goes on from where this one stopped.",
    });
}

/** Each record's writes: a carried delete, or its plan's write per side (create when no id yet). */
function jobsOf(pending: readonly PendingWrite[]): Job[] {
  const jobs: Job[] = [];
  pending.forEach((write, item) => {
    if ("remove" in write.change) {
      const { remove, remoteId } = write.change;
      jobs.push({ item, side: remove, op: "delete", remoteId, fields: undefined });
      return;
    }
    const { plan } = write.change;
    const pks = pksOf(write);
    for (const [side, values] of [
      ["to", plan.toWrite],
      ["from", plan.fromWrite],
    ] as const) {
      if (!values) continue;
      const remoteId = pks[side];
      jobs.push({
        item,
        side,
        op: remoteId === undefined ? "create" : "update",
        remoteId,
        fields: fieldsOf(values),
      });
    }
  });
  return jobs;
}

/** The two records' ids as far as known: the link's, or the changed record's own. */
function pksOf(write: PendingWrite): Record<SideName, string | undefined> {
  return {
    from: write.link?.fromPk ?? (write.side === "from" ? write.pk : undefined),
    to: write.link?.toPk ?? (write.side === "to" ? write.pk : undefined),
  };
}

/** A plan's values as the target's input: dotted paths built into objects, empty values left out. */
function fieldsOf(values: FieldValues): Fields {
  const present = Object.entries(values).filter(([, value]) => value !== null && value !== undefined);
  return buildFields(
    Object.fromEntries(present),
    present.map(([path]) => ({ column: path, field: path })),
  );
}

async function send(ctx: RunContext, side: SideName, op: Op, group: readonly Job[]): Promise<WriteResult[]> {
  const target = ctx.sides[side].write!;
  const results =
    op === "create"
      ? await target.createMany(group.map((job) => job.fields!))
      : op === "update"
        ? await target.updateMany(group.map((job) => ({ remoteId: job.remoteId!, fields: job.fields! })))
        : await target.deleteMany(group.map((job) => job.remoteId!));
  if (results.length !== group.length)
    throw new SwitchyardError(
      "internal",
      `The target answered ${results.length} results for ${group.length} writes.`,
    );
  return results;
}

/**
 * A create that the provider answered with a record already linked to another record of this flow: a target
 * that creates by upsert on a natural key (HubSpot's by email) returns the existing record when two records of
 * the other side share that key. One record links to one only, so this record is failed with why (and retried:
 * once the other is deleted or changed its key, it goes through) instead of breaking the link table.
 */
async function linkedToAnother(
  ctx: RunContext,
  jobs: readonly Job[],
  pks: Record<SideName, string | undefined>,
): Promise<{ job: Job; message: string } | undefined> {
  for (const job of jobs) {
    if (job.op !== "create") continue;
    const remoteId = pks[job.side]!;
    const existing = (await linksBy(ctx.db, ctx.flow.id, job.side, [remoteId])).get(remoteId);
    const other: SideName = job.side === "to" ? "from" : "to";
    const existingOther = other === "from" ? existing?.fromPk : existing?.toPk;
    if (existing && existingOther !== pks[other])
      return {
        job,
        message:
          `The ${job.side} side answered the create with record ${remoteId}, which this flow already links to ` +
          `${other} record ${existingOther}: two ${other} records match one ${job.side} record (the same matching ` +
          "key, such as an email). Merge or correct the duplicates; this record is tried again on the next run.",
      };
  }
  return undefined;
}

/** One record's outcome: linked (or unlinked) and counted, or failed and marked for a retry. */
async function settle(ctx: RunContext, write: PendingWrite, jobs: readonly Job[]): Promise<void> {
  const refused = jobs.find(
    (job) =>
      !job.result!.ok && !(job.op === "delete" && isNotFound((job.result as { error: unknown }).error)),
  );
  if (refused) {
    ctx.counts.failed++;
    const message = failureMessage((refused.result as { error: unknown }).error);
    await markRetry(ctx.db, ctx.flow.id, write.side, write.pk, message);
    await recordRow(ctx, refused.side, write.pk, refused.op, "failed", refused.remoteId ?? null, message);
    return;
  }
  if ("remove" in write.change) {
    ctx.counts.deleted++;
    await deleteLink(ctx.db, ctx.flow.id, write.link!);
    await recordRow(ctx, write.change.remove, write.pk, "delete", "succeeded", write.change.remoteId, null);
  } else {
    const { plan } = write.change;
    if (jobs.length === 0) {
      ctx.counts.unchanged++;
      if (write.link) await saveLink(ctx.db, ctx.flow.id, { ...write.link, values: plan.next });
    } else {
      const pks = pksOf(write);
      for (const job of jobs)
        if (job.op === "create") pks[job.side] = (job.result as { remoteId: string }).remoteId;
      const clash = await linkedToAnother(ctx, jobs, pks);
      if (clash) {
        ctx.counts.failed++;
        await markRetry(ctx.db, ctx.flow.id, write.side, write.pk, clash.message);
        await recordRow(
          ctx,
          clash.job.side,
          write.pk,
          "create",
          "failed",
          pks[clash.job.side] ?? null,
          clash.message,
        );
        return;
      }
      const written = { from: write.link?.written.from ?? null, to: write.link?.written.to ?? null };
      for (const job of jobs) {
        const remoteId = pks[job.side]!;
        written[job.side] = valuesHash(plan.next[job.side]);
        ctx.counts[job.op === "create" ? "created" : "updated"]++;
        await recordRow(ctx, job.side, write.pk, job.op, "succeeded", remoteId, null);
      }
      await saveLink(ctx.db, ctx.flow.id, { fromPk: pks.from!, toPk: pks.to!, values: plan.next, written });
    }
  }
  if (write.retry) await clearRetry(ctx.db, ctx.flow.id, write.side, write.pk);
}
