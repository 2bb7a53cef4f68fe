/**
 * Salesforce's unified CRM mappers (read direction): Contact, Account, Opportunity and User from the sObjects
 * of the same names, Stage from OpportunityStage. docs/providers/salesforce.md has the field table.
 */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { salesforceAccountMapper } from "./account.ts";
import { salesforceContactMapper } from "./contact.ts";
import { salesforceOpportunityMapper } from "./opportunity.ts";
import { salesforceStageMapper, salesforceUserMapper } from "./user-and-stage.ts";

export const salesforceMappers: readonly UnifiedMapper[] = [
  salesforceContactMapper,
  salesforceAccountMapper,
  salesforceOpportunityMapper,
  salesforceUserMapper,
  salesforceStageMapper,
];
