/**
 * The two sides of a flow, as the engine uses them: what is read of a connection (a stream's cached
 * records, or a unified Common Model mapped from them) and how it is written (reverse ETL's write targets: the
 * provider's typed actions or its unified writer, every write through runAction and the account's budget).
 */
import { SwitchyardError } from "../../core/index.ts";
import type { FlowSide } from "../../flows/app-to-app/definitions.ts";
import { type ConnectionRow, getConnection } from "../../store/index.ts";
import { mapContextOf } from "../../unified/mappers.ts";
import { findProvider } from "../platform.ts";
import { resolveTarget, type TargetDeps, type WriteTarget } from "../reverse-etl/targets.ts";

export type FlowDeps = TargetDeps;

type Source = Record<string, unknown>;

export interface ReadSide {
  connection: ConnectionRow;
  /** The stream whose cached records this side reads. */
  stream: string;
  /** The record the flow sees of a cached payload (the raw payload, or the Common Model object in it). */
  view(payload: Source, pk: string): Source | undefined;
}

/** A side's connection, refused unless it is in the environment. */
export async function sideConnection(
  deps: Pick<FlowDeps, "db">,
  environmentId: string,
  side: FlowSide,
): Promise<ConnectionRow> {
  const connection = await getConnection(deps.db, side.connection_id).catch(() => undefined);
  if (!connection || connection.environment_id !== environmentId)
    throw new SwitchyardError("not_found", `No connection "${side.connection_id}" in this environment.`, {
      hint: "GET /v1/connections lists them.",
    });
  return connection;
}

export function readSide(deps: FlowDeps, connection: ConnectionRow, side: FlowSide): ReadSide {
  const provider = findProvider(deps.providers, connection.provider);
  if (side.model) {
    const mapper = deps.mappers.find(connection.provider, side.model);
    if (!mapper)
      throw new SwitchyardError(
        "not_found",
        `${connection.provider} does not map the unified ${side.model} yet.`,
        {
          hint: `Read a stream instead: ${provider.streams.map((s) => s.name).join(", ")}.`,
        },
      );
    const ctx = mapContextOf(connection.id);
    return {
      connection,
      stream: mapper.stream,
      view(payload, pk) {
        const object = mapper.fromRecord(payload, ctx).find((o) => !o.derived && o.remoteId === pk);
        return object ? { ...object.fields, remote_id: object.remoteId } : undefined;
      },
    };
  }
  const stream = side.stream!;
  if (!provider.streams.some((s) => s.name === stream))
    throw new SwitchyardError("not_found", `${connection.provider} has no stream "${stream}".`, {
      hint: `Its streams are: ${provider.streams.map((s) => s.name).join(", ")}.`,
    });
  return { connection, stream, view: (payload) => payload };
}

/** How a side is written: its `target`, or its unified model's writer. */
export function writeSide(deps: FlowDeps, connection: ConnectionRow, side: FlowSide): WriteTarget {
  const target = side.target ?? (side.model ? { type: "unified" as const, model: side.model } : undefined);
  if (!target)
    throw new SwitchyardError(
      "request_invalid",
      `The side on ${connection.provider} "${side.stream}" is written, and names no \`target\`.`,
      {
        hint: 'Give it a target: { "type": "actions", "create": "create_…", "update": "update_…" } (GET /v1/providers/{provider}/actions).',
      },
    );
  return resolveTarget(deps, connection, target);
}
