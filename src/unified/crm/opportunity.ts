/**
 * Merge's CRM `Opportunity` (a deal), and what its POST (`OpportunityRequest`) and PATCH
 * (`PatchedOpportunityRequest`) accept. `owner`, `account` and `stage` are ids, or the objects with `expand`.
 */
import { z } from "zod";
import { Account } from "./account.ts";
import {
  idOr,
  int32,
  leadingFields,
  nullable,
  timestamp,
  trailingFields,
  writeOnlyFields,
} from "./fields.ts";
import { Stage } from "./stage.ts";
import { User } from "./user.ts";

export const OpportunityStatusEnum = z
  .enum(["OPEN", "WON", "LOST"])
  .meta({ id: "crm.OpportunityStatusEnum", description: "Whether a deal is open, won or lost." });

const dealFields = {
  name: nullable(z.string()).describe("The deal's name."),
  description: nullable(z.string()).describe("A description of the deal."),
  amount: nullable(int32()).describe("The deal's value."),
};

const outcomeFields = {
  status: nullable(OpportunityStatusEnum).describe("`OPEN`, `WON` or `LOST`."),
  last_activity_at: nullable(timestamp()).describe("When the deal's latest activity happened."),
  close_date: nullable(timestamp()).describe("When the deal closed, or is expected to."),
};

export const Opportunity = z
  .object({
    ...leadingFields,
    ...dealFields,
    owner: nullable(idOr(User)).describe("The owning user: an id, or the user with `expand`."),
    account: nullable(idOr(Account)).describe("The deal's company: an id, or the account with `expand`."),
    stage: nullable(idOr(Stage)).describe("The deal's stage: an id, or the stage with `expand`."),
    ...outcomeFields,
    remote_created_at: nullable(timestamp()).describe("When the deal was created in the CRM."),
    ...trailingFields,
  })
  .meta({ id: "crm.Opportunity", description: "A deal in a CRM." });

export const OpportunityRequest = z
  .object({
    ...dealFields,
    owner: nullable(idOr(User)).describe("The owning user's id."),
    account: nullable(idOr(Account)).describe("The deal's account id."),
    stage: nullable(idOr(Stage)).describe("The deal's stage id."),
    ...outcomeFields,
    ...writeOnlyFields,
  })
  .meta({ id: "crm.OpportunityRequest", description: "A deal to create." });

export const PatchedOpportunityRequest = z
  .object({
    ...dealFields,
    owner: nullable(z.string()).describe("The owning user's id."),
    account: nullable(z.string()).describe("The deal's account id."),
    stage: nullable(z.string()).describe("The deal's stage id."),
    ...outcomeFields,
    ...writeOnlyFields,
  })
  .meta({
    id: "crm.PatchedOpportunityRequest",
    description: "Changes to a deal; absent fields stay as they are.",
  });

export type Opportunity = z.infer<typeof Opportunity>;
export type OpportunityRequest = z.infer<typeof OpportunityRequest>;
export type PatchedOpportunityRequest = z.infer<typeof PatchedOpportunityRequest>;
