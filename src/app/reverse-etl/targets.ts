/**
 * Where a reverse-ETL sync writes, behind one interface: a provider's own object through its typed actions
 * (create/update/delete by name), or a unified Common Model through the provider's unified writer (so one
 * sync definition serves whichever CRM the connection is). Every write goes through runAction: the
 * connection's HTTP client with its retries and the account's shared rate-limit budget.
 */
import { SwitchyardError } from "../../core/index.ts";
import type { SyncTarget } from "../../flows/reverse-etl/definitions.ts";
import { checkPath, valueAt } from "../../flows/reverse-etl/mapping.ts";
import type { ConnectionRow } from "../../store/index.ts";
import { getUnifiedObjects } from "../../store/repositories/unified-objects.ts";
import type { WriteContext } from "../../unified/writers.ts";
import { describeAction } from "../actions/catalog.ts";
import { findAction, runAction } from "../actions/run-action.ts";
import { type UnifiedWriteDeps, writerFor } from "../actions/unified-writes.ts";
import { findProvider } from "../platform.ts";

export type TargetDeps = UnifiedWriteDeps;

export interface WriteTarget {
  /** `hubspot create_contact/update_contact`, `Contact through pipedrive`: for messages. */
  describe: string;
  /** Why mirror mode cannot delete here, or undefined when it can. */
  cannotDelete: string | undefined;
  /** The stream whose cached records a natural key is looked up in, when the target implies one. */
  stream: string | undefined;
  /** Why the dotted path is not a field the target takes, or undefined. */
  checkField(path: string): string | undefined;
  /** Creates a record; its provider id. */
  create(fields: Record<string, unknown>): Promise<string>;
  update(remoteId: string, fields: Record<string, unknown>): Promise<void>;
  delete(remoteId: string): Promise<void>;
}

export function resolveTarget(deps: TargetDeps, connection: ConnectionRow, target: SyncTarget): WriteTarget {
  return target.type === "actions"
    ? actionsTarget(deps, connection, target)
    : unifiedTarget(deps, connection, target.model);
}

function actionsTarget(
  deps: TargetDeps,
  connection: ConnectionRow,
  target: Extract<SyncTarget, { type: "actions" }>,
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
  return {
    describe: `${provider} ${create.name}/${update.name}`,
    cannotDelete: remove
      ? undefined
      : `mirror mode deletes what left the model, and this target names no delete action (\`target.delete\`); ${provider}'s actions are: ${actions.join(", ")}`,
    stream: undefined,
    checkField(path) {
      return checkPath(describeAction(create).input_schema, path) ?? checkPath(updateSchema, path);
    },
    async create(fields) {
      const output = await runAction(deps, connection, create.name, fields);
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
    async update(remoteId, fields) {
      await runAction(deps, connection, update.name, { ...fields, [target.id_field]: idOf(remoteId) });
    },
    async delete(remoteId) {
      if (!remove)
        throw new SwitchyardError("internal", "delete called on a target without a delete action.");
      await runAction(deps, connection, remove.name, { [target.id_field]: idOf(remoteId) });
    },
  };
}

function unifiedTarget(
  deps: TargetDeps,
  connection: ConnectionRow,
  model: "Contact" | "Account" | "Opportunity",
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
    cannotDelete: `mirror mode deletes what left the model, and unified ${model} writes have no delete yet`,
    stream: writer.stream,
    checkField(path) {
      const [field] = path.split(".");
      return writer.fields.includes(field!)
        ? undefined
        : `"${field}" is not a ${model} field ${connection.provider} writes; it writes: ${writer.fields.join(", ")}`;
    },
    async create(fields) {
      const call = await writer.create(fields, ctx);
      const output = await runAction(deps, connection, call.action, call.input);
      return String(writer.toRecord({ output, input: call.input })[stream.primaryKey]);
    },
    async update(remoteId, fields) {
      const call = await writer.update(remoteId, fields, ctx);
      await runAction(deps, connection, call.action, call.input);
    },
    async delete() {
      throw new SwitchyardError("internal", "delete called on a unified target.");
    },
  };
}
