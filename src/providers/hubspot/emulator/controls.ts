/**
 * The emulator's control surface, shared by the programmatic API and the `/_emulator/*` endpoints:
 * inspect state, apply changes over time, add properties, set fault knobs and limits, read ground truth.
 */
import { z } from "zod";
import type { ChangeCounts } from "../../../emulator/changes.ts";
import {
  type CoreControls,
  type CoreState,
  coreControls,
  coreState,
  resetCore,
} from "../../../emulator/core.ts";
import { OBJECT_TYPES, type ObjectTypeName, type PropertyDefinition, type PropertySpec } from "./catalog.ts";
import type { EmulatorContext } from "./context.ts";
import type { MutationRequest, MutationResult } from "./dataset.ts";
import { validationError } from "./errors.ts";
import type { RateLimitConfig } from "./rate-limit.ts";
import { type ApiObject, toApiObject } from "./serialize.ts";

export interface EmulatorState extends CoreState<RateLimitConfig> {
  seed: number;
  /** The logical clock (ISO): the time of the latest change. */
  clock: string;
  objects: Record<ObjectTypeName, { live: number; archived: number; properties: number }>;
}

/** What the API would return for a type right now: every live record with all properties, and archived ids. */
export interface GroundTruth {
  type: ObjectTypeName;
  /** Live records in id order, with every property and (contacts, deals) their company associations. */
  records: ApiObject[];
  archivedIds: string[];
}

export interface EmulatorControls extends CoreControls<RateLimitConfig> {
  state(): EmulatorState;
  mutate(request: MutationRequest): MutationResult;
  /** New, renamed and deactivated (`archives`) owners, on the records' clock. */
  mutateOwners(counts: ChangeCounts): Pick<MutationResult, "updated" | "created" | "archived">;
  addProperty(type: ObjectTypeName, property: PropertySpec): PropertyDefinition;
  /** Back to the seeded data; clears rate-limit usage and token expiries and replays the fault sequence. */
  reset(): void;
  groundTruth(type: ObjectTypeName): GroundTruth;
}

export const mutationSchema = z.object({
  type: z.enum(OBJECT_TYPES as [ObjectTypeName, ...ObjectTypeName[]]),
  updates: z.number().int().min(0).optional(),
  archives: z.number().int().min(0).optional(),
  creates: z.number().int().min(0).optional(),
  reassociations: z.number().int().min(0).optional(),
  stepMs: z.number().int().min(0).optional(),
});

/** Binds the controls to one emulator's context. */
export function createControls(ctx: EmulatorContext): EmulatorControls {
  const { dataset } = ctx;
  return {
    ...coreControls(ctx),
    state: () => ({
      seed: dataset.seed,
      clock: new Date(dataset.clock).toISOString(),
      objects: Object.fromEntries(
        OBJECT_TYPES.map((type) => {
          const live = dataset.liveCount(type);
          return [
            type,
            {
              live,
              archived: dataset.table(type).totalCount - live,
              properties: dataset.propertySpecs(type).length,
            },
          ];
        }),
      ) as EmulatorState["objects"],
      ...coreState(ctx),
    }),
    mutate: (request) => {
      const parsed = mutationSchema.parse(request);
      if (parsed.type === "companies" && (parsed.reassociations ?? 0) > 0) {
        throw validationError(
          "reassociations applies to contacts and deals: each holds its company association. Send type contacts or deals.",
        );
      }
      return dataset.mutate(parsed);
    },
    mutateOwners: (counts) => dataset.mutateOwners(counts),
    addProperty: (type, property) => dataset.addProperty(type, property),
    reset: () => {
      dataset.reset();
      resetCore(ctx);
    },
    groundTruth: (type) => {
      const table = dataset.table(type);
      const names = dataset.propertySpecs(type).map((property) => property.name);
      const associations: ObjectTypeName[] = type === "companies" ? [] : ["companies"];
      return {
        type,
        records: [...table.liveIds()].map((id) =>
          toApiObject(dataset, type, table.get(id)!, names, associations),
        ),
        archivedIds: [...table.archivedIds()].map(String),
      };
    },
  };
}
