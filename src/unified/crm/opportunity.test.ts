import { describe, expect, it } from "vitest";
import { exampleOpportunity, exampleOpportunityRequest, exampleStage, exampleUser } from "./examples.ts";
import {
  Opportunity,
  OpportunityRequest,
  OpportunityStatusEnum,
  PatchedOpportunityRequest,
} from "./opportunity.ts";
import { firstIssuePath } from "./testing.ts";

describe("crm Opportunity", () => {
  it("accepts a full opportunity with its stage expanded, and keeps every field", () => {
    expect(Opportunity.parse(exampleOpportunity)).toEqual(exampleOpportunity);
  });

  it("takes status OPEN, WON or LOST, or null", () => {
    expect(OpportunityStatusEnum.options).toEqual(["OPEN", "WON", "LOST"]);
    for (const status of ["OPEN", "WON", "LOST", null]) {
      expect(Opportunity.safeParse({ status }).success).toBe(true);
    }
  });

  it("refuses any other status, lower case included", () => {
    expect(firstIssuePath(Opportunity.safeParse({ status: "open" }))).toBe("status");
    expect(firstIssuePath(Opportunity.safeParse({ status: "CLOSED" }))).toBe("status");
    expect(firstIssuePath(OpportunityRequest.safeParse({ status: "PENDING" }))).toBe("status");
    expect(firstIssuePath(PatchedOpportunityRequest.safeParse({ status: "won" }))).toBe("status");
  });

  it("refuses wrong types", () => {
    expect(firstIssuePath(Opportunity.safeParse({ amount: "125000" }))).toBe("amount");
    expect(firstIssuePath(Opportunity.safeParse({ amount: 2 ** 31 }))).toBe("amount");
    expect(firstIssuePath(Opportunity.safeParse({ close_date: "30/06/2025" }))).toBe("close_date");
    expect(firstIssuePath(Opportunity.safeParse({ stage: ["s"] }))).toBe("stage");
  });
});

describe("crm OpportunityRequest and PatchedOpportunityRequest", () => {
  it("accept a realistic create and patch", () => {
    expect(OpportunityRequest.parse(exampleOpportunityRequest)).toEqual(exampleOpportunityRequest);
    expect(PatchedOpportunityRequest.parse({ status: "LOST", stage: exampleStage.id })).toEqual({
      status: "LOST",
      stage: exampleStage.id,
    });
  });

  it("POST accepts expanded references, PATCH takes ids only, as Merge's SDK types them", () => {
    expect(OpportunityRequest.safeParse({ owner: exampleUser, stage: exampleStage }).success).toBe(true);
    expect(firstIssuePath(PatchedOpportunityRequest.safeParse({ stage: exampleStage }))).toBe("stage");
  });
});
