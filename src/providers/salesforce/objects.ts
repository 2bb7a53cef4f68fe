/**
 * The objects the connector syncs, each a stream: its sObject, whether its records can be deleted (Users and
 * OpportunityStages cannot: they are deactivated, and have no IsDeleted field), and the columns every org
 * has. Fields beyond these — custom fields (`__c`) above all — come from describe at every read.
 */
import type { ColumnType } from "../../core/index.ts";

export interface SObjectSpec {
  /** The stream's name (`contacts`). */
  stream: string;
  /** The sObject (`Contact`). */
  object: string;
  /** Whether records carry IsDeleted (and queryAll can see deleted rows). */
  deletable: boolean;
  /** The field that keys the stream's records, when not the record Id. */
  primaryKey?: string;
  columns: Record<string, ColumnType>;
}

const SYSTEM: Record<string, ColumnType> = {
  Id: "string",
  CreatedDate: "timestamp",
  CreatedById: "string",
  LastModifiedDate: "timestamp",
  LastModifiedById: "string",
  SystemModstamp: "timestamp",
};

const address = (prefix: string): Record<string, ColumnType> => ({
  [`${prefix}Street`]: "string",
  [`${prefix}City`]: "string",
  [`${prefix}State`]: "string",
  [`${prefix}PostalCode`]: "string",
  [`${prefix}Country`]: "string",
});

export const SOBJECTS: readonly SObjectSpec[] = [
  {
    stream: "accounts",
    object: "Account",
    deletable: true,
    columns: {
      ...SYSTEM,
      IsDeleted: "boolean",
      Name: "string",
      Industry: "string",
      Website: "string",
      Phone: "string",
      NumberOfEmployees: "integer",
      ...address("Billing"),
      OwnerId: "string",
    },
  },
  {
    stream: "contacts",
    object: "Contact",
    deletable: true,
    columns: {
      ...SYSTEM,
      IsDeleted: "boolean",
      FirstName: "string",
      LastName: "string",
      Name: "string",
      Email: "string",
      Phone: "string",
      Title: "string",
      AccountId: "string",
      ...address("Mailing"),
      OwnerId: "string",
    },
  },
  {
    stream: "opportunities",
    object: "Opportunity",
    deletable: true,
    columns: {
      ...SYSTEM,
      IsDeleted: "boolean",
      Name: "string",
      Amount: "number",
      StageName: "string",
      CloseDate: "timestamp",
      Probability: "number",
      AccountId: "string",
      IsClosed: "boolean",
      IsWon: "boolean",
      OwnerId: "string",
    },
  },
  {
    stream: "users",
    object: "User",
    deletable: false,
    columns: {
      ...SYSTEM,
      Username: "string",
      Name: "string",
      FirstName: "string",
      LastName: "string",
      Email: "string",
      IsActive: "boolean",
    },
  },
  {
    // Setup data: stages are deactivated, never deleted. Keyed by ApiName, unique per org, because that is
    // how an opportunity names its stage (StageName): the reference needs no lookup.
    stream: "stages",
    object: "OpportunityStage",
    deletable: false,
    primaryKey: "ApiName",
    columns: {
      ...SYSTEM,
      MasterLabel: "string",
      ApiName: "string",
      IsActive: "boolean",
      IsClosed: "boolean",
      IsWon: "boolean",
      SortOrder: "integer",
      DefaultProbability: "number",
    },
  },
];
