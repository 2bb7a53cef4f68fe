/** The `field_mappings` of a Common Model: mapped values keyed by target field, per level of mapping. */
import { z } from "zod";

const targets = z.record(z.string(), z.unknown());

export const FieldMappings = z
  .looseObject({
    organization_defined_targets: targets
      .optional()
      .describe("Values of mappings set for the whole environment, keyed by target field."),
    linked_account_defined_targets: targets
      .optional()
      .describe("Values of mappings set for this one connection, keyed by target field."),
  })
  .meta({ id: "crm.FieldMappings", description: "Mapped values of an object, by who defined the mapping." });
