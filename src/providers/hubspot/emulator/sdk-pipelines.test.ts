/**
 * The official client's deal pipeline calls against the emulator: the default pipeline and its stages, whose
 * ids are the `dealstage` values the seeded deals carry.
 */
import type { Client } from "@hubspot/api-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HubSpotEmulator, startHubSpotEmulator } from "./index.ts";
import { failureOf, officialClient } from "./testing.ts";

let emulator: HubSpotEmulator;
let client: Client;

beforeAll(async () => {
  emulator = await startHubSpotEmulator({
    seed: 5,
    counts: { deals: 40 },
    rateLimit: { maxPerInterval: 100_000 },
  });
  client = officialClient(emulator);
});
afterAll(() => emulator.close());

describe("deal pipelines through the official client", () => {
  it("lists the default pipeline with its stages in display order, metadata as strings", async () => {
    const { results } = await client.crm.pipelines.pipelinesApi.getAll("deals");
    expect(results.map((pipeline) => [pipeline.id, pipeline.label])).toEqual([["default", "Sales Pipeline"]]);
    const stages = results[0]!.stages;
    expect(stages.map((stage) => stage.displayOrder)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(stages[0]).toMatchObject({
      id: "appointmentscheduled",
      label: "Appointment Scheduled",
      metadata: { isClosed: "false", probability: "0.2" },
      archived: false,
    });
    expect(stages[0]!.createdAt).toBeInstanceOf(Date);
    expect(stages.find((stage) => stage.id === "closedwon")?.metadata).toEqual({
      isClosed: "true",
      probability: "1.0",
    });
  });

  it("names every stage a deal is in", async () => {
    const stageIds = new Set(
      (await client.crm.pipelines.pipelinesApi.getAll("deals")).results.flatMap((p) =>
        p.stages.map((s) => s.id),
      ),
    );
    const deals = await client.crm.deals.basicApi.getPage(100, undefined, ["dealstage", "pipeline"]);
    expect(deals.results.length).toBe(40);
    for (const deal of deals.results) {
      expect(stageIds.has(String(deal.properties.dealstage))).toBe(true);
      expect(deal.properties.pipeline).toBe("default");
    }
  });

  it("reads one pipeline, its stages and one stage; unknown ones are HubSpot's 404, other objects a 400", async () => {
    const pipeline = await client.crm.pipelines.pipelinesApi.getById("deals", "default");
    const stages = await client.crm.pipelines.pipelineStagesApi.getAll("deals", "default");
    expect(stages.results.map((stage) => stage.id)).toEqual(pipeline.stages.map((stage) => stage.id));
    const stage = await client.crm.pipelines.pipelineStagesApi.getById("deals", "default", "contractsent");
    expect(stage).toMatchObject({ label: "Contract Sent", metadata: { probability: "0.9" } });
    expect(await failureOf(client.crm.pipelines.pipelinesApi.getById("deals", "nope"))).toMatchObject({
      code: 404,
      body: { category: "OBJECT_NOT_FOUND" },
    });
    expect(
      await failureOf(client.crm.pipelines.pipelineStagesApi.getById("deals", "default", "nope")),
    ).toMatchObject({ code: 404 });
    expect(await failureOf(client.crm.pipelines.pipelinesApi.getAll("contacts"))).toMatchObject({
      code: 400,
      body: { category: "VALIDATION_ERROR" },
    });
  });
});
