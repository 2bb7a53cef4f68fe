/**
 * `remote_fields` of Common Model objects (`include_remote_fields=true`): every field of the object's cached raw
 * payload, custom ones included, as Merge's `[{remote_field_class, value}]`. The field's class comes from the
 * stream's declared columns (its type) and the value itself; its id is stable per connection, model and path.
 * Nested objects are listed by their leaves, named by dotted path (`address.city`).
 */
import type { Kysely } from "kysely";
import type { ColumnType } from "../../core/index.ts";
import type { Database } from "../../store/index.ts";
import { readRecordPayloads } from "../../store/repositories/unified-objects.ts";
import { pathKey } from "../../unified/field-mappings.ts";
import { kindOfColumn, kindOfValue, leafFields } from "../../unified/field-mappings-remote-fields.ts";
import { type CrmModelName, type MapperRegistry, unifiedId } from "../../unified/mappers.ts";
import type { PlatformDeps } from "../platform.ts";

/** Sets `remote_fields` on each object (by its `remote_id`); objects with no payload of their own get `[]`. */
export async function attachRemoteFields(
  deps: { db: Kysely<Database>; registry: MapperRegistry; providers: PlatformDeps["providers"] },
  connection: { id: string; provider: string },
  model: CrmModelName,
  objects: Record<string, unknown>[],
): Promise<void> {
  const mapper = deps.registry.find(connection.provider, model);
  const stream = mapper?.stream;
  const remoteIds = objects
    .map((object) => object.remote_id)
    .filter((id): id is string => typeof id === "string");
  const payloads = stream
    ? await readRecordPayloads(deps.db, connection.id, stream, remoteIds)
    : new Map<string, string>();
  const definition = Object.hasOwn(deps.providers, connection.provider)
    ? deps.providers[connection.provider]
    : undefined;
  const declared: Readonly<Record<string, ColumnType>> =
    definition?.streams.find((candidate) => candidate.name === stream)?.schema.columns ?? {};
  for (const object of objects) {
    const text = typeof object.remote_id === "string" ? payloads.get(object.remote_id) : undefined;
    // A derived object (a deal's stage) has no record of its own under its remote id: no fields.
    object.remote_fields =
      text === undefined
        ? []
        : leafFields(JSON.parse(text)).map(([path, value]) => {
            const key = pathKey(path);
            const column = path.length === 1 ? declared[key] : undefined;
            const kind = column ? kindOfColumn(column) : (kindOfValue(value) ?? "string");
            return {
              remote_field_class: {
                id: unifiedId(connection.id, `remote-field:${model}`, key),
                display_name: key,
                remote_key_name: key,
                // Declared columns are the provider's own; of the others the payload cannot tell.
                ...(column === undefined ? {} : { is_custom: false }),
                field_type: kind,
                field_format: kind,
              },
              value: value ?? null,
            };
          });
  }
}
