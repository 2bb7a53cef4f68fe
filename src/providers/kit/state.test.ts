import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/index.ts";
import { sendJson } from "../../http/test-server.ts";
import { defineStream } from "./define-stream.ts";
import { kitStateSchema } from "./state.ts";
import { type LoopbackApi, readPages, startApi } from "./test-helpers.ts";

let api: LoopbackApi;
beforeAll(async () => {
  api = await startApi((_req, res) =>
    sendJson(res, 200, { data: [{ id: 1, updated: "2025-01-01T00:00:00Z" }] }),
  );
});
afterAll(() => api.close());

const notes = defineStream({
  name: "notes",
  primaryKey: "id",
  request: { path: "/notes" },
  records: "data",
  paginator: { type: "next_url", nextPath: "next" },
  incremental: { cursorField: "updated", param: "since", format: "iso8601" },
  schema: { columns: { id: "integer", updated: "timestamp" } },
});

const CORRUPT = { pass: { phase: "records", next: { page: 2 }, startedAt: "2025-01-01T00:00:00Z" } };
/** A HubSpot checkpoint: not one a kit stream wrote. */
const FOREIGN = { since: "2025-01-01T00:00:00.000Z", position: { phase: "list" } };

describe("the state schema on the definition", () => {
  it("accepts the kit's own checkpoints", () => {
    expect(notes.stateSchema).toBe(kitStateSchema);
    expect(notes.stateSchema?.safeParse({ highWater: "2025-01-01T00:00:00.000Z" }).success).toBe(true);
    const midPass = {
      pass: {
        phase: "deleted",
        next: "abc",
        since: "2025-01-01T00:00:00Z",
        startedAt: "2025-01-02T00:00:00Z",
      },
    };
    expect(notes.stateSchema?.safeParse(midPass).success).toBe(true);
  });

  it("rejects a corrupt checkpoint and a foreign one", () => {
    expect(notes.stateSchema?.safeParse(CORRUPT).success).toBe(false);
    expect(notes.stateSchema?.safeParse(FOREIGN).success).toBe(false);
    expect(notes.stateSchema?.safeParse({ highWater: "last tuesday" }).success).toBe(false);
  });
});

describe("reading from a bad checkpoint", () => {
  it("fails before any request with a ConfigError naming the stream, the problem and the way out", async () => {
    const before = api.server.requests.length;
    const error = await readPages(notes, api.http, { state: CORRUPT }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("The saved state of stream notes is not a checkpoint this stream wrote");
    expect(error.message).toContain("pass.next");
    expect(error.hint).toBe("Run a full refresh of the stream to start from a fresh state.");
    expect(api.server.requests.length).toBe(before);
  });

  it("names the unknown keys of a foreign checkpoint", async () => {
    const error = await readPages(notes, api.http, { state: FOREIGN }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/Unrecognized keys?: "since", "position"/);
  });
});
