/**
 * Creating and changing syncs: streams are checked against the provider, frequencies are parsed (intervals
 * of at least 30 s, or cron), and the next run is scheduled. A new sync runs at once, then on schedule.
 */
import type { Kysely } from "kysely";
import {
  type FieldIssue,
  type ProviderDefinition,
  RequestInvalidError,
  SwitchyardError,
} from "../../core/index.ts";
import { nextRunAfter, parseFrequency } from "../../scheduler/frequency.ts";
import { parseTimeZone } from "../../scheduler/time-zone.ts";
import {
  type Database,
  getConnection,
  insertSync,
  patchSync,
  RUNNABLE_CONNECTION_STATUSES,
  requestSyncRun,
  type Sync,
  syncsOfConnection,
} from "../../store/index.ts";
import type { PlatformDeps } from "../platform.ts";

/** The frequency of a sync created without one, and of the sync every new connection gets. */
export const DEFAULT_SYNC_FREQUENCY = "1h";

export interface SyncSettings {
  /** Stream names; all of the provider's when omitted at creation. */
  streams?: readonly string[];
  frequency?: string;
  /** IANA time zone of a cron frequency (`Europe/Paris`); null is UTC. */
  timeZone?: string | null;
  enabled?: boolean;
  warehouse?: boolean;
}

/** The given streams, de-duplicated, or request_invalid naming each one the provider does not have. */
export function checkStreams(provider: ProviderDefinition, streams: readonly string[]): string[] {
  const known = provider.streams.map((stream) => stream.name);
  const issues: FieldIssue[] = streams.flatMap((name, index) =>
    known.includes(name)
      ? []
      : [
          {
            location: "body" as const,
            path: `streams.${index}`,
            message: `${provider.displayName} has no stream "${name}"; it has: ${known.join(", ")}.`,
          },
        ],
  );
  if (issues.length > 0) throw new RequestInvalidError(issues);
  if (streams.length === 0) {
    throw new RequestInvalidError([
      {
        location: "body",
        path: "streams",
        message: "Give at least one stream, or leave `streams` out for all.",
      },
    ]);
  }
  return [...new Set(streams)];
}

/** The time of the next run of a sync whose frequency or time zone changed at `now`. */
function rescheduled(frequency: string, timeZone: string | null, now: Date): string | null {
  return nextRunAfter(parseFrequency(frequency, timeZone), now)?.toISOString() ?? null;
}

/** The zone's canonical name, null for UTC; argument_invalid for an unknown zone. */
function checkedTimeZone(timeZone: string | null): string | null {
  return timeZone === null ? null : parseTimeZone(timeZone);
}

/**
 * Creates a sync of a connection; its first run is due at once (when enabled). Throws request_invalid for
 * unknown streams, argument_invalid for a bad frequency or time zone, and conflict when a stream is in
 * another sync.
 */
export async function createSync(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  connectionId: string,
  settings: SyncSettings,
  now = new Date(),
): Promise<Sync> {
  const frequency = settings.frequency ?? DEFAULT_SYNC_FREQUENCY;
  const timeZone = checkedTimeZone(settings.timeZone ?? null);
  parseFrequency(frequency, timeZone);
  return insertSync(db, {
    connectionId,
    streams: checkStreams(provider, settings.streams ?? provider.streams.map((stream) => stream.name)),
    frequency,
    timeZone,
    enabled: settings.enabled ?? true,
    warehouse: settings.warehouse ?? false,
    nextRunAt: now.toISOString(),
  });
}

/**
 * Gives a new connection its default sync — every stream, hourly, first run at once — unless the provider
 * has no streams or the connection already has a sync. Returns it, if made.
 */
export async function createDefaultSync(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  connectionId: string,
): Promise<Sync | undefined> {
  if (provider.streams.length === 0) return undefined;
  if ((await syncsOfConnection(db, connectionId)).length > 0) return undefined;
  return createSync(db, provider, connectionId, {});
}

/**
 * Applies changed settings. A new frequency or time zone reschedules the next run to one new interval (or
 * the cron's next slot) from `now`; pausing keeps the next run time, so resuming an overdue sync runs it
 * once, at once.
 */
export async function changeSync(
  db: Kysely<Database>,
  provider: ProviderDefinition,
  sync: Sync,
  settings: SyncSettings,
  now = new Date(),
): Promise<Sync> {
  const frequency = settings.frequency ?? sync.frequency;
  const timeZone = settings.timeZone !== undefined ? checkedTimeZone(settings.timeZone) : sync.timeZone;
  const scheduleChanged = frequency !== sync.frequency || timeZone !== sync.timeZone;
  return patchSync(db, sync, {
    ...(settings.streams ? { streams: checkStreams(provider, settings.streams) } : {}),
    ...(settings.frequency !== undefined ? { frequency: settings.frequency } : {}),
    ...(settings.timeZone !== undefined ? { timeZone } : {}),
    ...(scheduleChanged ? { nextRunAt: rescheduled(frequency, timeZone, now) } : {}),
    ...(settings.enabled !== undefined ? { enabled: settings.enabled } : {}),
    ...(settings.warehouse !== undefined ? { warehouse: settings.warehouse } : {}),
  });
}

/**
 * Asks for a run of the sync now (a full refresh if asked): this process's scheduler is woken, or else the
 * request waits in the database for any scheduler sharing it. Throws `conflict` when the sync is paused or
 * its connection is not runnable, since the run would never start.
 */
export async function triggerSync(
  deps: Pick<PlatformDeps, "db"> & { scheduler?: PlatformDeps["scheduler"] | undefined },
  sync: Sync,
  request: { fullRefresh: boolean },
): Promise<void> {
  if (!sync.enabled) {
    throw new SwitchyardError("conflict", `Sync ${sync.id} is paused, so it cannot run.`, {
      hint: `Resume it first: PATCH /v1/syncs/${sync.id} with {"enabled": true}.`,
    });
  }
  const connection = await getConnection(deps.db, sync.connectionId);
  if (!RUNNABLE_CONNECTION_STATUSES.includes(connection.status)) {
    throw new SwitchyardError(
      "conflict",
      `Connection ${connection.id} is ${connection.status}, so its syncs do not run.`,
      {
        hint:
          connection.status === "paused"
            ? `Set the connection's status to active: PATCH /v1/connections/${connection.id} with {"status": "active"}.`
            : "Have the end user authorise the connection again (new credentials), then trigger the sync.",
      },
    );
  }
  if (deps.scheduler) await deps.scheduler.triggerNow(sync.id, request);
  else
    await requestSyncRun(deps.db, sync.id, {
      at: new Date().toISOString(),
      fullRefresh: request.fullRefresh,
    });
}
