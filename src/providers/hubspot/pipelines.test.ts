/**
 * The deal stages stream against the emulator: every stage of every deal pipeline, one record each, with its
 * pipeline beside it; a body of the wrong shape is a clear provider_response_malformed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpClient } from "../../core/index.ts";
import type { ClosableHttpClient } from "../../http/index.ts";
import { type HubSpotEmulator, startHubSpotEmulator } from "./emulator/index.ts";
import { dealPipelines } from "./emulator/pipelines.ts";
import { dealStagesStream } from "./pipelines.ts";
import { emulatorClient, lastState, readPages, recordsOf, streamNamed } from "./test-harness.ts";

describe("deal_stages", () => {
  let emulator: HubSpotEmulator;
  let http: ClosableHttpClient;
  beforeAll(async () => {
    emulator = await startHubSpotEmulator({ seed: 3, rateLimit: { maxPerInterval: 100_000 } });
    http = emulatorClient(emulator);
  });
  afterAll(async () => {
    await http.close();
    await emulator.close();
  });

  it("reads each pipeline's stages as records, with the pipeline's id and label, in one full read", async () => {
    const pages = await readPages(http, "deal_stages", { fullRefresh: true });
    const [pipeline] = dealPipelines();
    const records = recordsOf(pages);
    expect(records.map((record) => record.id)).toEqual(pipeline!.stages.map((stage) => stage.id));
    expect(records[0]).toMatchObject({
      id: "appointmentscheduled",
      label: "Appointment Scheduled",
      metadata: { probability: "0.2", isClosed: "false" },
      pipelineId: "default",
      pipelineLabel: "Sales Pipeline",
    });
    expect(streamNamed("deal_stages")).toMatchObject({ primaryKey: "id", deletedField: "archived" });
    expect(lastState(pages)).toEqual({});
  });

  it("refuses a body of the wrong shape, naming it", async () => {
    // A stage without its id.
    const body = {
      results: [{ id: "default", label: "Sales", stages: [{ label: "no id", displayOrder: 0 }] }],
    };
    const fake: HttpClient = {
      request: async <T>() => ({ status: 200, headers: {}, bytes: 2, url: "https://x/", body: body as T }),
    };
    const read = dealStagesStream.read({
      http: fake,
      state: undefined,
      fullRefresh: true,
      signal: new AbortController().signal,
      log: { log() {} },
    });
    await expect(read[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      code: "provider_response_malformed",
      message: expect.stringContaining("The deal pipelines did not have the expected shape"),
    });
  });
});
