/**
 * HubSpot's unified CRM mappers: contacts → Contact, companies → Account, deals → Opportunity, owners → User,
 * and the deal pipelines' stages (deal_stages) → Stage.
 */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { hubspotAccountMapper } from "./account.ts";
import { hubspotContactMapper } from "./contact.ts";
import { hubspotOpportunityMapper, hubspotStageMapper } from "./opportunity.ts";
import { hubspotUserMapper } from "./user.ts";

export const hubspotMappers: readonly UnifiedMapper[] = [
  hubspotContactMapper,
  hubspotAccountMapper,
  hubspotOpportunityMapper,
  hubspotStageMapper,
  hubspotUserMapper,
];
