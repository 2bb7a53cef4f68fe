/**
 * Field mappings as use cases: create, change, delete and list them for one connection (Merge's linked account)
 * or for every connection of a provider in an environment, after checking the model, the target and the remote
 * field against what the connection's cache holds. The projection applies them on the next read (see
 * projection.ts); nothing here calls the provider.
 */
import type { Kysely } from "kysely";
import type { ColumnType } from "../../core/index.ts";
import { SwitchyardError } from "../../core/index.ts";
import type { ConnectionRow, Database } from "../../store/index.ts";
import { listConnectionsIn } from "../../store/index.ts";
import {
  deleteFieldMapping,
  type FieldMappingChange,
  getFieldMappingIn,
  insertFieldMapping,
  listFieldMappingsForConnection,
  listFieldMappingsOfEnvironment,
  sampleRecordPayloads,
  updateFieldMapping,
} from "../../store/repositories/field-mappings.ts";
import {
  type FieldMapping,
  overridableFields,
  type PathStep,
  pathKey,
  planFieldMappings,
  targetProblem,
} from "../../unified/field-mappings.ts";
import { CRM_MODEL_NAMES, UNSERVED_CRM_MODELS } from "../../unified/field-mappings-api.ts";
import { discoverRemoteFields, type RemoteFieldInfo } from "../../unified/field-mappings-remote-fields.ts";
import { type CrmModelName, type MapperRegistry, mapContextOf } from "../../unified/mappers.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";

/** Payloads sampled per model to find remote fields (Merge iterates over 250 objects by default). */
export const REMOTE_FIELD_SAMPLE = 250;

/** Connections of a provider sampled when checking an environment-wide mapping. */
const CONNECTIONS_SAMPLED = 20;

export interface FieldMappingDeps {
  db: Kysely<Database>;
  registry: MapperRegistry;
  providers: PlatformDeps["providers"];
}

/** What a model's remote fields are, for one connection. */
export interface ModelRemoteFields {
  model: CrmModelName;
  /** The provider path of the model's objects, `{id}` standing for the object's id. */
  urlPath: string;
  fields: RemoteFieldInfo[];
}

function invalid(message: string, hint: string): SwitchyardError {
  return new SwitchyardError("argument_invalid", message, { hint });
}

/** The CRM model a name names, if the provider serves it; a clear error otherwise. */
export function servedModel(registry: MapperRegistry, provider: string, name: string): CrmModelName {
  const served = registry.modelsOf(provider);
  if (
    (UNSERVED_CRM_MODELS as readonly string[]).includes(name) ||
    (CRM_MODEL_NAMES as readonly string[]).includes(name)
  ) {
    if (served.includes(name as CrmModelName)) return name as CrmModelName;
    throw invalid(
      `${provider} connections do not serve the ${name} Common Model (yet).`,
      `Map a model they serve: ${served.join(", ") || "none yet"}.`,
    );
  }
  throw invalid(
    `common_model_name "${name}" is not a CRM Common Model.`,
    `Use one of: ${served.join(", ") || CRM_MODEL_NAMES.join(", ")} (names as Merge spells them).`,
  );
}

/** The declared columns of the stream a model is read from. */
function declaredColumns(
  deps: FieldMappingDeps,
  provider: string,
  stream: string,
): Record<string, ColumnType> {
  const definition = Object.hasOwn(deps.providers, provider) ? deps.providers[provider] : undefined;
  return definition?.streams.find((candidate) => candidate.name === stream)?.schema.columns ?? {};
}

/**
 * The remote fields of the connection's models (default: every model its provider serves), from its cached
 * payloads. A model whose objects are not read as records of their own (a HubSpot stage, seen on deals), or whose
 * stream holds nothing yet, has none.
 */
export async function remoteFieldsOf(
  deps: FieldMappingDeps,
  connection: Pick<ConnectionRow, "id" | "provider">,
  models: readonly CrmModelName[] = deps.registry.modelsOf(connection.provider),
): Promise<ModelRemoteFields[]> {
  const result: ModelRemoteFields[] = [];
  const ctx = mapContextOf(connection.id);
  for (const model of models) {
    const mapper = deps.registry.find(connection.provider, model);
    if (!mapper) continue;
    const payloads = (
      await sampleRecordPayloads(deps.db, connection.id, mapper.stream, REMOTE_FIELD_SAMPLE)
    ).map((text) => JSON.parse(text) as Record<string, unknown>);
    const own = payloads.filter((payload) =>
      mapper.fromRecord(payload, ctx).some((object) => !object.derived),
    );
    const first = own[0];
    if (first === undefined) continue;
    const object = mapper.fromRecord(first, ctx).find((candidate) => !candidate.derived)!;
    result.push({
      model,
      urlPath: urlTemplate(object.remotePath),
      fields: discoverRemoteFields(own, declaredColumns(deps, connection.provider, mapper.stream)),
    });
  }
  return result;
}

/**
 * `/crm/v3/objects/contacts/42` → `/crm/v3/objects/contacts/{id}`: the object's own segment, the last one, even
 * when it is not the model's remote id (Salesforce's stages are keyed by name, their path by record id).
 */
function urlTemplate(path: string): string {
  const at = path.lastIndexOf("/");
  return at === -1 ? path : `${path.slice(0, at)}/{id}`;
}

export interface MappingInput {
  model: string;
  targetFieldName: string;
  targetFieldDescription: string;
  traversalPath: PathStep[];
  remoteMethod: string;
  remoteUrlPath: string;
}

/** Checks the remote side of a mapping against the remote fields found (of one or several connections). */
function checkRemote(
  model: CrmModelName,
  input: { traversalPath: PathStep[]; remoteMethod: string; remoteUrlPath: string },
  found: readonly ModelRemoteFields[],
  declared: Readonly<Record<string, ColumnType>>,
): void {
  if (input.remoteMethod.toUpperCase() !== "GET") {
    throw invalid(
      `remote_method "${input.remoteMethod}" is not one remote fields are read with.`,
      'Use "GET", as GET /remote-fields lists it.',
    );
  }
  const ofModel = found.filter((entry) => entry.model === model);
  const urlPaths = [...new Set(ofModel.map((entry) => entry.urlPath))];
  if (urlPaths.length > 0 && !urlPaths.includes(input.remoteUrlPath)) {
    throw invalid(
      `remote_url_path "${input.remoteUrlPath}" is not where ${model} objects are read from.`,
      `Use ${urlPaths.map((path) => `"${path}"`).join(" or ")}, as GET /remote-fields lists it.`,
    );
  }
  const wanted = pathKey(input.traversalPath);
  const known =
    (input.traversalPath.length === 1 && Object.hasOwn(declared, String(input.traversalPath[0]))) ||
    ofModel.some((entry) => entry.fields.some((field) => pathKey(field.path) === wanted));
  if (!known) {
    throw invalid(
      `No remote field of ${model} at ${JSON.stringify(input.traversalPath)}.`,
      ofModel.length === 0
        ? `No remote fields of ${model} are known: its stream has no synced records yet (run a sync first), or its ` +
            "objects are found on other records (as HubSpot's stages on deals), which mappings cannot read."
        : "Use a field_traversal_path that GET /remote-fields lists (custom fields included).",
    );
  }
}

function checkTarget(model: CrmModelName, name: string): void {
  const problem = targetProblem(model, name);
  if (problem) {
    throw invalid(
      problem,
      `Plain ${model} fields that can be overridden: ${[...overridableFields(model).keys()].join(", ")}.`,
    );
  }
}

/** Creates a mapping of one connection (Merge's linked-account mapping). */
export async function createConnectionMapping(
  deps: FieldMappingDeps,
  connection: Pick<ConnectionRow, "id" | "provider" | "environment_id">,
  input: MappingInput,
): Promise<FieldMapping> {
  const model = servedModel(deps.registry, connection.provider, input.model);
  checkTarget(model, input.targetFieldName);
  const found = await remoteFieldsOf(deps, connection, [model]);
  const stream = deps.registry.find(connection.provider, model)!.stream;
  checkRemote(model, input, found, declaredColumns(deps, connection.provider, stream));
  return insertFieldMapping(deps.db, {
    environmentId: connection.environment_id,
    connectionId: connection.id,
    provider: connection.provider,
    model,
    targetFieldName: input.targetFieldName,
    targetFieldDescription: input.targetFieldDescription,
    traversalPath: input.traversalPath,
    remoteMethod: "GET",
    remoteUrlPath: input.remoteUrlPath,
  });
}

/** Creates an environment-wide mapping: every connection of `provider` in the environment gets it. */
export async function createEnvironmentMapping(
  deps: FieldMappingDeps,
  environmentId: string,
  provider: string,
  input: MappingInput,
): Promise<FieldMapping> {
  findProvider(deps.providers, provider);
  const model = servedModel(deps.registry, provider, input.model);
  checkTarget(model, input.targetFieldName);
  const found = await remoteFieldsOfProvider(deps, environmentId, provider, model);
  checkRemote(
    model,
    input,
    found,
    declaredColumns(deps, provider, deps.registry.find(provider, model)!.stream),
  );
  return insertFieldMapping(deps.db, {
    environmentId,
    connectionId: null,
    provider,
    model,
    targetFieldName: input.targetFieldName,
    targetFieldDescription: input.targetFieldDescription,
    traversalPath: input.traversalPath,
    remoteMethod: "GET",
    remoteUrlPath: input.remoteUrlPath,
  });
}

/** Remote fields of a model over (some of) the environment's connections of a provider. */
async function remoteFieldsOfProvider(
  deps: FieldMappingDeps,
  environmentId: string,
  provider: string,
  model: CrmModelName,
): Promise<ModelRemoteFields[]> {
  const page = await listConnectionsIn(deps.db, environmentId, { provider, limit: CONNECTIONS_SAMPLED });
  const found: ModelRemoteFields[] = [];
  for (const connection of page.items) found.push(...(await remoteFieldsOf(deps, connection, [model])));
  return found;
}

/** Changes where a mapping reads from, after checking the new remote field as a create would. */
export async function changeMapping(
  deps: FieldMappingDeps,
  mapping: FieldMapping,
  change: FieldMappingChange,
): Promise<FieldMapping> {
  const next = {
    traversalPath: change.traversalPath ?? mapping.traversalPath,
    remoteMethod: change.remoteMethod ?? mapping.remoteMethod,
    remoteUrlPath: change.remoteUrlPath ?? mapping.remoteUrlPath,
  };
  const stream = deps.registry.find(mapping.provider, mapping.model)?.stream;
  const found =
    mapping.connectionId === null
      ? await remoteFieldsOfProvider(deps, mapping.environmentId, mapping.provider, mapping.model)
      : await remoteFieldsOf(deps, { id: mapping.connectionId, provider: mapping.provider }, [mapping.model]);
  checkRemote(mapping.model, next, found, stream ? declaredColumns(deps, mapping.provider, stream) : {});
  return updateFieldMapping(deps.db, mapping, { ...change, remoteMethod: "GET" });
}

/**
 * A mapping a linked account may change or delete: its own. An environment-wide one is `forbidden` (it is
 * managed through `/v1/field-mappings`); another connection's is `not_found`, as if it did not exist.
 */
export async function ownMappingOf(
  db: Kysely<Database>,
  connection: Pick<ConnectionRow, "id" | "environment_id">,
  id: string,
): Promise<FieldMapping> {
  const mapping = await getFieldMappingIn(db, connection.environment_id, id);
  if (mapping.connectionId === null) {
    throw new SwitchyardError("forbidden", `Field mapping ${id} is environment-wide (is_integration_wide).`, {
      hint: `Change it with PATCH /v1/field-mappings/${id}, or create a mapping of the same target for this linked account, which wins over it.`,
    });
  }
  if (mapping.connectionId !== connection.id) {
    throw new SwitchyardError("not_found", `No field mapping with id ${id} for this linked account.`, {
      hint: "Use an `id` that GET /field-mappings returned with the same account token.",
    });
  }
  return mapping;
}

export { deleteFieldMapping, getFieldMappingIn, listFieldMappingsOfEnvironment };

/** The mappings a linked account sees: its own and its environment's for its provider. */
export async function mappingsOfConnection(
  db: Kysely<Database>,
  connection: Pick<ConnectionRow, "id" | "provider">,
): Promise<{ mappings: FieldMapping[]; organizationTargets: Set<string> }> {
  const all = await listFieldMappingsForConnection(db, connection.id);
  return {
    mappings: all.filter(
      (m) =>
        m.connectionId === connection.id || (m.connectionId === null && m.provider === connection.provider),
    ),
    organizationTargets: organizationTargetsOf(all),
  };
}

/** `model\0target` of every environment-wide target: the organization's target fields. */
export function organizationTargetsOf(mappings: readonly FieldMapping[]): Set<string> {
  return new Set(
    mappings.filter((m) => m.connectionId === null).map((m) => `${m.model}\u0000${m.targetFieldName}`),
  );
}

export interface TargetField {
  model: CrmModelName;
  name: string;
  description: string;
  /** The linked account has a value for it (its own mapping, or its environment's for its provider). */
  isMapped: boolean;
}

/** The environment's organization-wide target fields, and whether the connection maps each. */
export async function targetFieldsOf(
  db: Kysely<Database>,
  connection: Pick<ConnectionRow, "id" | "provider">,
): Promise<TargetField[]> {
  const all = await listFieldMappingsForConnection(db, connection.id);
  const plans = planFieldMappings(all, connection);
  const targets = new Map<string, TargetField>();
  for (const mapping of all) {
    // Overrides of Common Model fields add no target field.
    if (mapping.connectionId !== null || overridableFields(mapping.model).has(mapping.targetFieldName))
      continue;
    const key = `${mapping.model}\u0000${mapping.targetFieldName}`;
    const mapped = plans.get(mapping.model)?.targets.some((t) => t.name === mapping.targetFieldName) ?? false;
    const previous = targets.get(key);
    targets.set(key, {
      model: mapping.model,
      name: mapping.targetFieldName,
      description: previous?.description || mapping.targetFieldDescription,
      isMapped: mapped,
    });
  }
  return [...targets.values()];
}
