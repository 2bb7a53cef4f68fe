/**
 * Pipedrive's unified CRM mappers (read direction): persons → Contact, organizations → Account, deals →
 * Opportunity, users → User, stages → Stage. docs/providers/pipedrive.md has the field table.
 */
import type { UnifiedMapper } from "../../../unified/mappers.ts";
import { pipedriveAccountMapper } from "./account.ts";
import { pipedriveContactMapper } from "./contact.ts";
import { pipedriveOpportunityMapper } from "./opportunity.ts";
import { pipedriveStageMapper, pipedriveUserMapper } from "./user-and-stage.ts";

export const pipedriveMappers: readonly UnifiedMapper[] = [
  pipedriveContactMapper,
  pipedriveAccountMapper,
  pipedriveOpportunityMapper,
  pipedriveUserMapper,
  pipedriveStageMapper,
];
