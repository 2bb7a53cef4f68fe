/**
 * The account's deal pipelines, as HubSpot's pipelines API (`/crm/v3/pipelines/deals`) returns them: the one
 * default pipeline every account starts with ("Sales Pipeline", id `default`) and its seven stages, with
 * HubSpot's default labels, order and win probabilities. Its stage ids are the `dealstage` values the seeded
 * deals carry (catalog.ts). Fixed data: the emulator offers no pipeline edits, as no connector makes them.
 */
import { DEFAULT_CLOCK_START } from "./generate.ts";

/** A stage as the API returns it: HubSpot sends `metadata` values as strings (`"0.2"`, `"false"`). */
export interface PublicPipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: { isClosed: string; probability: string };
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  writePermissions: "CRM_PERMISSIONS_ENFORCEMENT";
}

export interface PublicPipeline {
  id: string;
  label: string;
  displayOrder: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  stages: PublicPipelineStage[];
}

/** HubSpot's default deal stages: id, label, win probability, and whether a deal there is closed. */
const DEFAULT_DEAL_STAGES = [
  ["appointmentscheduled", "Appointment Scheduled", "0.2", false],
  ["qualifiedtobuy", "Qualified To Buy", "0.4", false],
  ["presentationscheduled", "Presentation Scheduled", "0.6", false],
  ["decisionmakerboughtin", "Decision Maker Bought-In", "0.8", false],
  ["contractsent", "Contract Sent", "0.9", false],
  ["closedwon", "Closed Won", "1.0", true],
  ["closedlost", "Closed Lost", "0.0", true],
] as const;

/** The deal pipelines of an account whose data starts at `clockStart` (created a year before it). */
export function dealPipelines(clockStart: number = DEFAULT_CLOCK_START): PublicPipeline[] {
  const createdAt = new Date(clockStart - 365 * 86_400_000).toISOString();
  return [
    {
      id: "default",
      label: "Sales Pipeline",
      displayOrder: 0,
      createdAt,
      updatedAt: createdAt,
      archived: false,
      stages: DEFAULT_DEAL_STAGES.map(([id, label, probability, isClosed], displayOrder) => ({
        id,
        label,
        displayOrder,
        metadata: { isClosed: String(isClosed), probability },
        createdAt,
        updatedAt: createdAt,
        archived: false,
        writePermissions: "CRM_PERMISSIONS_ENFORCEMENT" as const,
      })),
    },
  ];
}
