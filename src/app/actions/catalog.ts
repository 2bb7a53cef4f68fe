/** What a provider's actions take and return, as JSON Schema: for `GET /v1/providers/{provider}/actions`. */
import { z } from "zod";
import type { ActionDefinition, ProviderDefinition } from "../../core/index.ts";
import { zodSchemaOf } from "./run-action.ts";

export interface ActionDescription {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
  output_schema: Record<string, unknown>;
}

function jsonSchemaOf(schema: unknown, io: "input" | "output"): Record<string, unknown> {
  const zod = zodSchemaOf(schema);
  // A hand-written validator says nothing about its shape: any JSON value.
  if (!zod) return {};
  const { $schema: _dialect, ...json } = z.toJSONSchema(zod, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  });
  return json;
}

export function describeAction(action: ActionDefinition): ActionDescription {
  return {
    name: action.name,
    description: action.description,
    input_schema: jsonSchemaOf(action.input, "input"),
    output_schema: jsonSchemaOf(action.output, "output"),
  };
}

/** The provider's actions, in the order it declares them. */
export function describeActions(provider: ProviderDefinition): ActionDescription[] {
  return (provider.actions ?? []).map(describeAction);
}
