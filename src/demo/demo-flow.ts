/**
 * `npm start`'s app-to-app flow (docs/flows.md): the demo customer's HubSpot contacts become Pipedrive persons
 * once their lifecycle stage is `salesqualifiedlead`, every minute and whenever a HubSpot sync changes
 * contacts. Saved on the first start when both demo connections exist; later starts keep it as the API may
 * have changed it.
 */
import { createFlow, getFlow } from "../app/flows/flows.ts";
import type { FlowDeps } from "../app/flows/sides.ts";
import { NotFoundError } from "../core/index.ts";
import { flowInput } from "../flows/app-to-app/definitions.ts";
import type { ConnectionRow } from "../store/index.ts";

export const DEMO_FLOW = "demo-qualified-leads";

/** The demo flow (saved now if new), or undefined without both a HubSpot and a Pipedrive demo connection. */
export async function ensureDemoFlow(deps: FlowDeps, connections: readonly ConnectionRow[]) {
  const hubspot = connections.find((c) => c.provider === "hubspot");
  const pipedrive = connections.find((c) => c.provider === "pipedrive");
  if (!hubspot || !pipedrive) return undefined;
  const existing = await getFlow(deps, hubspot.environment_id, DEMO_FLOW).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (existing) return existing;
  const definition = flowInput.parse({
    name: DEMO_FLOW,
    from: { connection_id: hubspot.id, stream: "contacts" },
    to: {
      connection_id: pipedrive.id,
      stream: "persons",
      target: { type: "actions", create: "create_person", update: "update_person" },
    },
    filter: [{ field: "lifecyclestage", op: "=", value: "salesqualifiedlead" }],
    mapping: [
      {
        from: "firstname",
        to: "name",
        transforms: [
          { op: "concat", fields: ["lastname"] },
          { op: "default", value: "(no name)" },
        ],
      },
      { from: "email", to: "email", transforms: [{ op: "trim" }, { op: "lowercase" }] },
    ],
    schedule: "1m",
    on_change: true,
  });
  return createFlow(deps, hubspot.environment_id, definition);
}
