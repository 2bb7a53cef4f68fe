/**
 * HubSpot's pipelines API for deals, read-only: `GET /crm/v3/pipelines/{objectType}` (every pipeline with its
 * stages, in one unpaged `results`), `/{pipelineId}`, `/{pipelineId}/stages` and `/{pipelineId}/stages/{stageId}`.
 * Other object types with no pipelines here answer HubSpot's 400; unknown pipelines and stages its 404.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { EmulatorError } from "../../../../emulator/errors.ts";
import { type EmulatorContext, objectTypeParam } from "../context.ts";
import { validationError } from "../errors.ts";
import { dealPipelines, type PublicPipeline } from "../pipelines.ts";

type PipelineRequest = FastifyRequest<{
  Params: { objectType: string; pipelineId?: string; stageId?: string };
}>;

function notFound(what: string, id: string): EmulatorError {
  return new EmulatorError(404, "OBJECT_NOT_FOUND", `${what} ${id} does not exist.`, {
    context: { id: [id] },
  });
}

export function pipelineRoutes(app: FastifyInstance, { dataset }: EmulatorContext): void {
  const pipelinesOf = (request: PipelineRequest): PublicPipeline[] => {
    const type = objectTypeParam(request.params.objectType);
    if (type !== "deals") throw validationError(`Object type ${type} has no pipelines in this account.`);
    return dealPipelines(dataset.clockStart);
  };
  const pipelineOf = (request: PipelineRequest): PublicPipeline => {
    const id = request.params.pipelineId ?? "";
    const pipeline = pipelinesOf(request).find((candidate) => candidate.id === id);
    if (!pipeline) throw notFound("Pipeline", id);
    return pipeline;
  };

  app.get("/crm/v3/pipelines/:objectType", async (request: PipelineRequest) => ({
    results: pipelinesOf(request),
  }));
  app.get("/crm/v3/pipelines/:objectType/:pipelineId", async (request: PipelineRequest) =>
    pipelineOf(request),
  );
  app.get("/crm/v3/pipelines/:objectType/:pipelineId/stages", async (request: PipelineRequest) => ({
    results: pipelineOf(request).stages,
  }));
  app.get("/crm/v3/pipelines/:objectType/:pipelineId/stages/:stageId", async (request: PipelineRequest) => {
    const id = request.params.stageId ?? "";
    const stage = pipelineOf(request).stages.find((candidate) => candidate.id === id);
    if (!stage) throw notFound("Pipeline stage", id);
    return stage;
  });
}
