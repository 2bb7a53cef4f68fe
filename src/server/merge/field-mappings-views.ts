/** Field mappings as Merge's wire shows them (`FieldMappingApiInstance`, grouped by model). */
import type { z } from "zod";
import type { PlatformDeps } from "../../app/platform.ts";
import { unifiedMappers } from "../../providers/unified-mappers.ts";
import { type FieldMapping, overridableFields } from "../../unified/field-mappings.ts";
import type { FieldMappingApiInstance } from "../../unified/field-mappings-api.ts";
import { kindOfColumn, schemaOfKind } from "../../unified/field-mappings-remote-fields.ts";
import type { CrmModelName } from "../../unified/mappers.ts";

export type Instance = z.input<typeof FieldMappingApiInstance>;

/** `{Contact: [], ...}` for the models given: Merge lists every model, mapped or not. */
export function emptyByModel<T>(models: readonly CrmModelName[]): Partial<Record<CrmModelName, T[]>> {
  return Object.fromEntries(models.map((model) => [model, [] as T[]]));
}

/** Adds an item to its model's list. */
export function pushTo<T>(body: Partial<Record<CrmModelName, T[]>>, model: CrmModelName, item: T): void {
  const list = body[model] ?? [];
  list.push(item);
  body[model] = list;
}

/**
 * One mapping on the wire. The target is organization-wide when the mapping is environment-wide, when it
 * overrides a Common Model field (every account has those), or when the environment defines that target.
 */
export function toApiInstance(
  mapping: FieldMapping,
  organizationTargets: ReadonlySet<string>,
  providers: PlatformDeps["providers"],
  excludeMetadata = false,
): Instance {
  const organizationWide =
    mapping.connectionId === null ||
    overridableFields(mapping.model).has(mapping.targetFieldName) ||
    organizationTargets.has(`${mapping.model}\u0000${mapping.targetFieldName}`);
  const path = mapping.traversalPath.map(String);
  return {
    id: mapping.id,
    is_integration_wide: mapping.connectionId === null,
    target_field: {
      name: mapping.targetFieldName,
      description: mapping.targetFieldDescription,
      is_organization_wide: organizationWide,
    },
    remote_field: {
      remote_key_name: excludeMetadata ? null : path.join("."),
      schema: excludeMetadata ? null : declaredSchema(mapping, providers),
      remote_endpoint_info: {
        method: mapping.remoteMethod,
        url_path: mapping.remoteUrlPath,
        field_traversal_path: path,
      },
    },
    jmes_path: null,
  };
}

/** The JSON Schema of a mapped field the stream declares; null for a discovered one (its type is not kept). */
function declaredSchema(
  mapping: FieldMapping,
  providers: PlatformDeps["providers"],
): Record<string, unknown> | null {
  if (mapping.traversalPath.length !== 1) return null;
  const stream = unifiedMappers.find(mapping.provider, mapping.model)?.stream;
  const definition = Object.hasOwn(providers, mapping.provider) ? providers[mapping.provider] : undefined;
  const column = definition?.streams.find((s) => s.name === stream)?.schema.columns[
    String(mapping.traversalPath[0])
  ];
  return column ? schemaOfKind(kindOfColumn(column)) : null;
}

/** Merge's write envelope around a mapping. */
export function instanceResponse(model: Instance) {
  return { model, warnings: [], errors: [], logs: [] };
}
