/**
 * Field mappings over the store, with a made-up provider's mapper: created after checking the remote field,
 * applied at the next read from the cached payloads (re-mapped in place, not rebuilt), scoped to their
 * environment, and removed with their connection. On SQLite and on Postgres.
 */
import { describe, expect } from "vitest";
import { itOnSqliteAndPostgres } from "../../../test/helpers/postgres.ts";
import { addTestConnection } from "../../../test/helpers/temp-store.ts";
import { SwitchyardError } from "../../core/index.ts";
import { type Store, writeRecords } from "../../store/index.ts";
import { deleteConnectionCascade } from "../../store/repositories/delete-connection.ts";
import {
  insertFieldMapping,
  listFieldMappingsOfEnvironment,
} from "../../store/repositories/field-mappings.ts";
import { MapperRegistry, type UnifiedMapper } from "../../unified/mappers.ts";
import {
  changeMapping,
  createConnectionMapping,
  type MappingInput,
  remoteFieldsOf,
  targetFieldsOf,
} from "./field-mappings.ts";
import { listUnified } from "./reads.ts";

const mapper: UnifiedMapper = {
  provider: "fake",
  model: "Contact",
  stream: "people",
  version: "1",
  fromRecord: (record) => [
    {
      remoteId: String(record.id),
      idStream: "people",
      remotePath: `/people/${record.id}`,
      fields: { first_name: String(record.name) },
    },
  ],
};
const registry = new MapperRegistry([mapper]);

const person = (id: number, custom: Record<string, unknown>) => ({
  pk: String(id),
  hash: `h${id}-${JSON.stringify(custom)}`,
  payload: JSON.stringify({ id, name: `person ${id}`, custom }),
  deleted: false,
});

async function failure(call: Promise<unknown>): Promise<SwitchyardError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwitchyardError);
  return error as SwitchyardError;
}

async function scenario(store: Store): Promise<void> {
  const { db } = store;
  const deps = { db, registry, providers: {} };
  const connectionId = await addTestConnection(db, "test", "fake");
  const connection = await db
    .selectFrom("connections")
    .selectAll()
    .where("id", "=", connectionId)
    .executeTakeFirstOrThrow();
  await writeRecords(db, connectionId, "people", {
    upserts: [person(1, { color: "red" }), person(2, { color: "blue", size: 3 })],
    seen: [],
    at: "2026-01-01T00:00:00.000Z",
  });
  // In remote id order, so the expectations read as the records were written.
  const read = async () =>
    (
      await listUnified(db, registry, connection, "Contact", {
        pageSize: 100,
        filters: {},
        expand: [],
        includeRemoteData: false,
      })
    ).results.sort((a, b) => String(a.remote_id).localeCompare(String(b.remote_id)));
  const before = await read();
  expect(before.map((c) => c.field_mappings)).toEqual([undefined, undefined]);

  // Remote fields come from the cached payloads, nested ones by path.
  const [fields] = await remoteFieldsOf(deps, connection);
  expect(fields?.urlPath).toBe("/people/{id}");
  expect(fields?.fields.map((f) => f.path.join("."))).toEqual(["custom.color", "custom.size", "id", "name"]);

  const input: MappingInput = {
    model: "Contact",
    targetFieldName: "color",
    targetFieldDescription: "Color",
    traversalPath: ["custom", "color"],
    remoteMethod: "GET",
    remoteUrlPath: "/people/{id}",
  };
  const created = await createConnectionMapping(deps, connection, input);
  const mapped = await read();
  expect(
    mapped.map(
      (c) => (c.field_mappings as { linked_account_defined_targets: unknown }).linked_account_defined_targets,
    ),
  ).toEqual([{ color: "red" }, { color: "blue" }]);
  // Re-mapped in place: the objects keep when Switchyard first stored them.
  expect(mapped.map((c) => c.created_at)).toEqual(before.map((c) => c.created_at));

  expect((await failure(createConnectionMapping(deps, connection, input))).code).toBe("conflict");
  const unknownPath = await failure(
    createConnectionMapping(deps, connection, {
      ...input,
      targetFieldName: "x",
      traversalPath: ["custom", "nope"],
    }),
  );
  expect(unknownPath.code).toBe("argument_invalid");
  expect(unknownPath.message).toContain("nope");
  expect(
    (await failure(createConnectionMapping(deps, connection, { ...input, model: "Account" }))).message,
  ).toContain("do not serve");
  expect(
    (await failure(createConnectionMapping(deps, connection, { ...input, model: "Widget" }))).message,
  ).toContain("Widget");
  expect(
    (await failure(createConnectionMapping(deps, connection, { ...input, remoteMethod: "POST" }))).code,
  ).toBe("argument_invalid");

  await changeMapping(deps, created, { traversalPath: ["custom", "size"] });
  expect(
    (await read()).map(
      (c) => (c.field_mappings as { linked_account_defined_targets: unknown }).linked_account_defined_targets,
    ),
  ).toEqual([{ color: null }, { color: 3 }]);

  // An environment-wide mapping of another environment does not apply here, nor show as a target field.
  const otherConnection = await addTestConnection(db, "other", "fake");
  const other = await db
    .selectFrom("connections")
    .select("environment_id")
    .where("id", "=", otherConnection)
    .executeTakeFirstOrThrow();
  await insertFieldMapping(db, {
    ...input,
    environmentId: other.environment_id,
    connectionId: null,
    provider: "fake",
    model: "Contact",
    targetFieldName: "tier",
    traversalPath: ["name"],
    remoteUrlPath: "/people/{id}",
  });
  expect(
    (await read()).map(
      (c) => (c.field_mappings as { organization_defined_targets: unknown }).organization_defined_targets,
    ),
  ).toEqual([{}, {}]);
  expect(await targetFieldsOf(db, connection)).toEqual([]);
  // Its own environment's does, as an organization-wide target.
  await insertFieldMapping(db, {
    ...input,
    environmentId: connection.environment_id,
    connectionId: null,
    provider: "fake",
    model: "Contact",
    targetFieldName: "tier",
    traversalPath: ["name"],
    remoteUrlPath: "/people/{id}",
  });
  expect(
    (await read()).map(
      (c) => (c.field_mappings as { organization_defined_targets: unknown }).organization_defined_targets,
    ),
  ).toEqual([{ tier: "person 1" }, { tier: "person 2" }]);
  expect(await targetFieldsOf(db, connection)).toEqual([
    { model: "Contact", name: "tier", description: "Color", isMapped: true },
  ]);

  // Deleting the connection removes its own mappings, not its environment's.
  await deleteConnectionCascade(db, connectionId);
  const left = await listFieldMappingsOfEnvironment(db, connection.environment_id);
  expect(left.map((m) => [m.targetFieldName, m.connectionId])).toEqual([["tier", null]]);
}

describe("field mappings", () => {
  itOnSqliteAndPostgres(scenario);
});
