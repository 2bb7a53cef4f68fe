/**
 * A batch action (`ActionDefinition.batchOf`) declared from the single action it batches: its input is
 * `{ inputs: [...] }` (each the single action's input, 1 to `maxInputs`), its output `{ results: [...] }`,
 * one BatchItemResult per input in order; `run` makes the provider's batch requests. Reverse ETL and flows
 * find it by `batchOf` and send many writes through it (src/app/reverse-etl/batch-calls.ts).
 */
import { z } from "zod";
import type { ActionDefinition, BatchItemResult, HttpClient } from "../../core/index.ts";

const batchOutput = z.strictObject({
  results: z.array(
    z.union([
      z.strictObject({ ok: z.literal(true), output: z.unknown() }),
      z.strictObject({ ok: z.literal(false), status: z.number(), message: z.string() }),
    ]),
  ),
});

export interface BatchActionSpec<I> {
  name: string;
  description: string;
  /** The single action each input is an input of. */
  of: string;
  input: z.ZodType<I>;
  maxInputs: number;
  /** A dotted input path whose value makes a resent input update instead of create (BatchActionDeclaration). */
  idempotentBy?: string;
  run(http: HttpClient, inputs: I[]): Promise<BatchItemResult[]>;
}

export function defineBatchAction<I>(spec: BatchActionSpec<I>): ActionDefinition {
  // The OpenAPI example: one input, the single action's own example.
  const single = (spec.input.meta() as { examples?: unknown[] } | undefined)?.examples?.[0];
  const schema = z
    .strictObject({ inputs: z.array(spec.input).min(1).max(spec.maxInputs) })
    .meta(single === undefined ? {} : { examples: [{ inputs: [single] }] });
  return {
    name: spec.name,
    description: spec.description,
    input: schema,
    output: batchOutput,
    batchOf: {
      action: spec.of,
      maxInputs: spec.maxInputs,
      ...(spec.idempotentBy ? { idempotentBy: spec.idempotentBy } : {}),
    },
    async run(http, raw) {
      const { inputs } = raw as { inputs: I[] };
      return { results: await spec.run(http, inputs) };
    },
  };
}
