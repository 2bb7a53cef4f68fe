import { describe, expect, it } from "vitest";
import { getUnifiedModel } from "../registry.ts";
import { DetailErrorResponse, WriteErrorResponse } from "./envelopes.ts";
import { exampleContact, exampleContactRequest, exampleOpportunity } from "./examples.ts";
import { firstIssuePath } from "./testing.ts";

const contacts = getUnifiedModel("crm", "Contact");
const warning = {
  source: { pointer: "model/stage" },
  title: "Unsupported Field",
  detail: "stage is not written to this provider.",
  problem_type: "UNSUPPORTED_FIELD",
};

describe("crm list envelope", () => {
  it("accepts {next, previous, results} with null cursors at the ends", () => {
    const page = { next: "cD0yMDI1LTAzLTAy", previous: null, results: [exampleContact] };
    expect(contacts.list.parse(page)).toEqual(page);
  });

  it("refuses results of the wrong model", () => {
    const page = { next: null, previous: null, results: [{ first_name: 7 }] };
    expect(firstIssuePath(contacts.list.safeParse(page))).toBe("results.0.first_name");
  });

  it("refuses a numeric cursor", () => {
    expect(firstIssuePath(contacts.list.safeParse({ next: 2, previous: null, results: [] }))).toBe("next");
  });
});

describe("crm write envelopes", () => {
  it("a POST body carries the fields under model, which is required", () => {
    const writes = contacts.writes;
    expect(writes?.createBody.parse({ model: exampleContactRequest })).toEqual({
      model: exampleContactRequest,
    });
    expect(firstIssuePath(writes?.createBody.safeParse({ first_name: "Grace" }) ?? { success: true })).toBe(
      "model",
    );
  });

  it("a write response carries model, warnings, errors and, in debug mode, logs", () => {
    const response = getUnifiedModel("crm", "Opportunity").writes?.response;
    const body = {
      model: exampleOpportunity,
      warnings: [warning],
      errors: [],
      logs: [
        {
          log_id: "99433219-8017-4acd-bb3c-ceb23d663832",
          dashboard_view: "http://127.0.0.1:3000/runs/99433219",
          log_summary: {
            url: "http://127.0.0.1:4010/crm/v3/objects/deals",
            method: "POST",
            status_code: 201,
          },
        },
      ],
    };
    expect(response?.parse(body)).toEqual(body);
    expect(
      firstIssuePath(response?.safeParse({ model: exampleOpportunity, errors: [] }) ?? { success: true }),
    ).toBe("warnings");
  });

  it("a problem needs title, detail and problem_type", () => {
    const { detail: _detail, ...withoutDetail } = warning;
    expect(firstIssuePath(WriteErrorResponse.safeParse({ errors: [withoutDetail] }))).toBe("errors.0.detail");
  });

  it("error bodies: a refused write lists its errors, others carry a detail", () => {
    const refused = { warnings: [], errors: [{ ...warning, problem_type: "PROVIDER_ERROR" }] };
    expect(WriteErrorResponse.parse(refused)).toEqual(refused);
    expect(DetailErrorResponse.parse({ detail: "Invalid account token." })).toEqual({
      detail: "Invalid account token.",
    });
    expect(firstIssuePath(DetailErrorResponse.safeParse({ message: "x" }))).toBe("detail");
  });
});
