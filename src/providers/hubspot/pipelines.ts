/**
 * The deal stages stream: every stage of every deal pipeline (`GET /crm/v3/pipelines/deals`), one record per
 * stage with its pipeline's id and label beside it. HubSpot returns the pipelines with their stages nested in
 * one unpaged answer, which no declared record selector flattens, so this read is written by hand on the kit's
 * response check. The API has no modification filter: every read is a full one (a few dozen stages at most),
 * and a stage removed from its pipeline is noticed by that full read.
 */
import { z } from "zod";
import type { StreamDefinition, SyncRecord } from "../../core/index.ts";
import { parseResponse } from "../kit/index.ts";

const stageSchema = z.looseObject({
  id: z.string().min(1),
  label: z.string(),
  displayOrder: z.number(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  archived: z.boolean().optional(),
});

const pipelinesSchema = z.object({
  results: z.array(z.looseObject({ id: z.string().min(1), label: z.string(), stages: z.array(stageSchema) })),
});

export const dealStagesStream: StreamDefinition = {
  name: "deal_stages",
  primaryKey: "id",
  deletedField: "archived",
  schema: {
    columns: {
      ...{ id: "string", label: "string", displayOrder: "integer", metadata: "json", archived: "boolean" },
      ...{ pipelineId: "string", pipelineLabel: "string", writePermissions: "string" },
      ...{ createdAt: "timestamp", updatedAt: "timestamp" },
    },
  },
  async *read(ctx) {
    const response = await ctx.http.request(
      { method: "GET", path: "/crm/v3/pipelines/deals" },
      { signal: ctx.signal },
    );
    const { results } = parseResponse(pipelinesSchema, response, "The deal pipelines", "hubspot");
    const records: SyncRecord[] = results.flatMap((pipeline) =>
      pipeline.stages.map((stage) => ({ ...stage, pipelineId: pipeline.id, pipelineLabel: pipeline.label })),
    );
    yield { records, state: {} };
  },
};
