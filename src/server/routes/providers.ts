/** The providers this Switchyard knows, with the credentials each expects. */
import { z } from "zod";
import type { ProviderDefinition } from "../../core/index.ts";
import { defineRoute } from "../route.ts";

export const providerSchema = z
  .object({
    name: z.string(),
    display_name: z.string(),
    auth: z
      .object({ type: z.string() })
      .describe("The auth scheme; connection credentials use the same `type`."),
    streams: z.array(z.object({ name: z.string(), primary_key: z.string(), incremental: z.boolean() })),
  })
  .meta({ id: "Provider" });

function providerView(provider: ProviderDefinition): z.input<typeof providerSchema> {
  return {
    name: provider.name,
    display_name: provider.displayName,
    auth: { type: provider.auth.type },
    streams: provider.streams.map((stream) => ({
      name: stream.name,
      primary_key: stream.primaryKey,
      incremental: stream.cursorField !== undefined,
    })),
  };
}

export const listProvidersRoute = defineRoute({
  method: "GET",
  url: "/v1/providers",
  name: "listProviders",
  summary: "List providers",
  tags: ["Providers"],
  auth: "api_key",
  response: { 200: z.object({ data: z.array(providerSchema) }) },
  errors: [],
}).handle(async ({ deps }) => {
  return { status: 200, body: { data: Object.values(deps.providers).map(providerView) } };
});

export const providerRoutes = [listProvidersRoute] as const;
