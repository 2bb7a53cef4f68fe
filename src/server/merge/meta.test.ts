/** The meta endpoints' request schema: only the fields the linked account's provider writes. */
import { describe, expect, it } from "vitest";
import { unifiedWriters } from "../../providers/unified-writers.ts";
import { requestSchemaFor } from "./meta.ts";

type Schema = {
  properties: { model: { properties: Record<string, unknown>; required?: string[] } };
  $defs?: object;
};

describe("requestSchemaFor", () => {
  it("lists exactly the writer's fields, and on POST the ones it requires", () => {
    for (const provider of ["hubspot", "pipedrive", "salesforce"]) {
      for (const model of ["Contact", "Account", "Opportunity"] as const) {
        const writer = unifiedWriters.find(provider, model)!;
        const post = requestSchemaFor({ provider }, model, "post") as Schema;
        expect(Object.keys(post.properties.model.properties).sort(), `${provider} ${model}`).toEqual(
          [...writer.fields].sort(),
        );
        expect(post.properties.model.required ?? []).toEqual(writer.required);
        const patch = requestSchemaFor({ provider }, model, "patch") as Schema;
        expect(patch.properties.model.required).toBeUndefined();
      }
    }
  });

  it("keeps the nested shapes its fields refer to, and lists nothing for a provider that writes nothing", () => {
    const contact = requestSchemaFor({ provider: "hubspot" }, "Contact", "post") as Schema;
    expect(JSON.stringify(contact.properties.model.properties.addresses)).toContain(
      "#/$defs/crm.AddressRequest",
    );
    expect(contact.$defs).toHaveProperty(["crm.AddressRequest"]);
    expect(
      (requestSchemaFor({ provider: "nobody" }, "Contact", "post") as Schema).properties.model.properties,
    ).toEqual({});
  });
});
