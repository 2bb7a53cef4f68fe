/**
 * Two catch-ups of one connection may overlap (two requests during a sync): an older version of an object,
 * written last, must not replace the newer one, nor its match keys.
 */
import { describe, expect, it } from "vitest";
import { addTestConnection, openTempStore } from "../../../test/helpers/temp-store.ts";
import { listUnifiedObjects, type NewUnifiedObject, upsertUnifiedObjects } from "./unified-objects.ts";

const version = (connectionId: string, modifiedAt: string, name: string): NewUnifiedObject => ({
  connection_id: connectionId,
  model: "Contact",
  remote_id: "1",
  id: "id-1",
  stream: "people",
  created_at: "2026-01-01T00:00:00.000Z",
  modified_at: modifiedAt,
  deleted: 0,
  fields: JSON.stringify({ first_name: name }),
});

describe("upsertUnifiedObjects", () => {
  it("keeps the newer version of an object, and its keys, when an older one comes last", async () => {
    const { store, cleanup } = await openTempStore();
    try {
      const connectionId = await addTestConnection(store.db, "test");
      const write = (modifiedAt: string, name: string) =>
        upsertUnifiedObjects(store.db, [version(connectionId, modifiedAt, name)], {
          derived: false,
          keys: [{ id: "id-1", kind: "email", value: `${name}@example.com` }],
        });
      await write("2026-01-02T00:00:00.000Z", "new");
      await write("2026-01-01T12:00:00.000Z", "old");
      const [row] = await listUnifiedObjects(store.db, connectionId, "Contact", {}, { limit: 10 });
      expect(JSON.parse(row!.fields)).toEqual({ first_name: "new" });
      const byEmail = (email: string) =>
        listUnifiedObjects(store.db, connectionId, "Contact", { emails: [email] }, { limit: 10 });
      expect(await byEmail("new@example.com")).toHaveLength(1);
      expect(await byEmail("old@example.com")).toEqual([]);
      // The same version again (a mapper rebuild) is written.
      await write("2026-01-02T00:00:00.000Z", "again");
      const [again] = await listUnifiedObjects(store.db, connectionId, "Contact", {}, { limit: 10 });
      expect(JSON.parse(again!.fields)).toEqual({ first_name: "again" });
      expect(await byEmail("again@example.com")).toHaveLength(1);
    } finally {
      await cleanup();
    }
  });
});
