/** Merge's CRM `Stage`: a step of an opportunity's pipeline. Read-only. */
import { z } from "zod";
import { leadingFields, nullable, trailingFields } from "./fields.ts";

export const Stage = z
  .object({
    ...leadingFields,
    name: nullable(z.string()).describe("The stage's name."),
    ...trailingFields,
  })
  .meta({ id: "crm.Stage", description: "A stage of an opportunity pipeline." });

export type Stage = z.infer<typeof Stage>;
