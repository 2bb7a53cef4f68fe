/**
 * HubSpot's unified CRM mappers: contacts → Contact, companies → Account, deals → Opportunity, and the deal
 * stages seen on deals → Stage. No User yet: the connector has no owners stream, so owners are referenced by
 * id (`hubspot_owner_id`) but not served.
 */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { hubspotAccountMapper } from "./account.ts";
import { hubspotContactMapper } from "./contact.ts";
import { hubspotOpportunityMapper, hubspotStageMapper } from "./opportunity.ts";

export const hubspotMappers: readonly UnifiedMapper[] = [
  hubspotContactMapper,
  hubspotAccountMapper,
  hubspotOpportunityMapper,
  hubspotStageMapper,
];
