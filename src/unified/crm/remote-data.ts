/** `RemoteData`: one raw payload of the provider, and the path it was read from. */
import { z } from "zod";

export const RemoteData = z
  .object({
    path: z.string().describe("The provider's API path the payload came from."),
    data: z.unknown().optional().describe("The payload as the provider returned it."),
  })
  .meta({ id: "crm.RemoteData", description: "A raw provider payload behind a Common Model." });
