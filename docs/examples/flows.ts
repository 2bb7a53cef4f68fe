/**
 * A code-first app-to-app flow (docs/flows.md): `npm run switchyard -- flows load docs/examples/flows.ts`
 * with HUBSPOT and PIPEDRIVE set to the two connections' ids. Its map and filter are TypeScript; it is run by
 * the same engine as a flow saved through the API (links, cursors, retries, runs).
 */
import { defineFlow } from "../../src/flows/app-to-app/define-flow.ts";

export const enterpriseLeads = defineFlow({
  name: "code-enterprise-leads",
  from: { connection_id: process.env.HUBSPOT ?? "set HUBSPOT", stream: "contacts" },
  to: {
    connection_id: process.env.PIPEDRIVE ?? "set PIPEDRIVE",
    stream: "persons",
    target: { type: "actions", create: "create_person", update: "update_person" },
  },
  filter: (contact) =>
    contact.lifecyclestage === "salesqualifiedlead" && String(contact.email ?? "").includes("@"),
  map: (contact) => ({
    name: [contact.firstname, contact.lastname].filter(Boolean).join(" ") || String(contact.email),
    email: String(contact.email).trim().toLowerCase(),
  }),
  schedule: "5m",
  on_change: true,
});
