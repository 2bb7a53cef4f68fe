import { describe, expect, it } from "vitest";
import {
  CredentialsRejectedError,
  DestinationError,
  describeError,
  ProviderResponseError,
  ProviderUnavailableError,
  ReauthorizationRequiredError,
  RecordInvalidError,
} from "../../core/index.ts";
import { causeOfError, hintOf, isPerStream, streamNamedIn, titleOf } from "./causes.ts";

describe("causeOfError", () => {
  it("reads the cause from the typed error a run stores", () => {
    const cases: [Error, string | null][] = [
      [new CredentialsRejectedError("HubSpot", 401), "auth_failed"],
      [new ProviderUnavailableError("HubSpot", 5, "HTTP 503"), "provider_down"],
      [new ProviderUnavailableError("HubSpot", 5, "connect ECONNREFUSED 127.0.0.1:9"), "provider_down"],
      [new ProviderUnavailableError("HubSpot", 5, "HTTP 429"), "rate_limited"],
      [new ProviderResponseError("HubSpot", "expected JSON but got text/html"), "schema_change"],
      [new RecordInvalidError("contacts", "no primary key"), "schema_change"],
      [new DestinationError("duckdb", "disk full"), "other"],
    ];
    for (const [error, cause] of cases)
      expect([error.message, causeOfError(describeError(error))]).toEqual([error.message, cause]);
    expect(causeOfError({ code: "run_aborted", message: "stopped" })).toBeNull();
  });

  it("knows a re-authorisation error as an auth failure", () => {
    const error = describeError(new ReauthorizationRequiredError("HubSpot", "refresh token revoked"));
    expect(causeOfError(error)).toBe("auth_failed");
  });

  it("finds the stream a per-stream error names", () => {
    expect(isPerStream("schema_change")).toBe(true);
    expect(isPerStream("auth_failed")).toBe(false);
    expect(streamNamedIn(new RecordInvalidError("deals", "bad").message)).toBe("deals");
    expect(streamNamedIn("HubSpot kept failing")).toBeUndefined();
  });

  it("titles issues for a person and falls back to the cause's hint", () => {
    expect(titleOf("schema_change", "HubSpot", "deals")).toBe("HubSpot sent unexpected data for deals");
    expect(hintOf("provider_down", "Their own hint.")).toBe("Their own hint.");
    expect(hintOf("provider_down", undefined)).toMatch(/resolves the issue/);
  });
});
