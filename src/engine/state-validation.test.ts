import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fakeProvider, MemoryDestination, makeItems } from "../../test/helpers/fake-provider.ts";
import { storeWithConnectionPerTest } from "../../test/helpers/temp-store.ts";
import { loadStreamState, saveStreamState } from "../store/index.ts";
import { runSync } from "./run-sync.ts";

const temp = storeWithConnectionPerTest();

/** The fake provider's stream, declaring the one state shape it writes: `{ offset }`. */
function declaredProvider() {
  const fake = fakeProvider({ data: makeItems(30), pageSize: 10 });
  const stream = { ...fake.provider.streams[0]!, stateSchema: z.strictObject({ offset: z.number().int() }) };
  return { ...fake, provider: { ...fake.provider, streams: [stream] } };
}

const sync = (provider: ReturnType<typeof declaredProvider>["provider"], fullRefresh = false) =>
  runSync({
    store: temp.store,
    provider,
    connection: { id: temp.connectionId, credentials: { type: "bearer", token: "t" } },
    destinations: [new MemoryDestination()],
    fullRefresh,
  });

describe("checkpoints are validated when a run loads them", () => {
  it("fails the run with state_invalid, reading nothing, when the checkpoint is not the stream's shape", async () => {
    const { provider, startedFrom } = declaredProvider();
    await saveStreamState(temp.store.db, temp.connectionId, "items", {
      cursor: { offset: "ten" },
      fullRefresh: null,
    });

    const run = await sync(provider);

    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("state_invalid");
    expect(run.error?.message).toMatch(/"items".*offset/);
    expect(run.error?.hint).toMatch(/--full-refresh/);
    expect(startedFrom).toEqual([]);
  });

  it("fails the run with state_invalid when the stored row is not an engine envelope at all", async () => {
    const { provider, startedFrom } = declaredProvider();
    await saveStreamState(temp.store.db, temp.connectionId, "items", { offset: 10 });

    const run = await sync(provider);

    expect(run.error?.code).toBe("state_invalid");
    expect(startedFrom).toEqual([]);
  });

  it("a full refresh starts a stream with a bad checkpoint over, and replaces the checkpoint", async () => {
    const { provider, startedFrom } = declaredProvider();
    await saveStreamState(temp.store.db, temp.connectionId, "items", {
      cursor: { page: "x" },
      fullRefresh: "yes",
    });

    const run = await sync(provider, true);

    expect(run.status).toBe("succeeded");
    expect(startedFrom).toEqual([undefined]);
    expect(await loadStreamState(temp.store.db, temp.connectionId, "items")).toEqual({
      cursor: { offset: 30 },
      fullRefresh: null,
    });
  });

  it("resumes from a checkpoint of the declared shape", async () => {
    const { provider, startedFrom } = declaredProvider();
    await saveStreamState(temp.store.db, temp.connectionId, "items", {
      cursor: { offset: 20 },
      fullRefresh: null,
    });

    const run = await sync(provider);

    expect(run.status).toBe("succeeded");
    expect(startedFrom).toEqual([20]);
  });
});
