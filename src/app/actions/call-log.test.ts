/** The provider calls an action makes, recorded for `is_debug_mode`: answered ones and refusals, nothing else. */
import { describe, expect, it } from "vitest";
import { type HttpClient, ProviderRequestError, ProviderUnavailableError } from "../../core/index.ts";
import { loggingHttp, type ProviderCallLog } from "./call-log.ts";

describe("loggingHttp", () => {
  it("records each answered call and each refusal with the client's URL, and passes both through", async () => {
    const answers: (() => unknown)[] = [
      () => ({
        status: 201,
        headers: {},
        bytes: 2,
        url: "https://api.example/crm/v3/objects/contacts",
        body: { id: "1" },
      }),
      () => {
        throw new ProviderRequestError("HubSpot", 409, "Contact already exists.", {
          method: "POST",
          url: "https://api.example/crm/v3/objects/contacts?hapikey=[REDACTED]",
        });
      },
      () => {
        throw new ProviderUnavailableError("HubSpot", 3, "HTTP 503");
      },
    ];
    const http: HttpClient = { request: async <T>() => answers.shift()!() as T as never };
    const logs: ProviderCallLog[] = [];
    const logged = loggingHttp(http, "conn_1", logs);
    expect((await logged.request({ method: "POST", path: "/crm/v3/objects/contacts" })).body).toEqual({
      id: "1",
    });
    await expect(logged.request({ method: "POST", path: "/crm/v3/objects/contacts" })).rejects.toBeInstanceOf(
      ProviderRequestError,
    );
    // No status to report: not logged, still thrown.
    await expect(logged.request({ path: "/x" })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(logs.map((log) => log.log_summary)).toEqual([
      { method: "POST", url: "https://api.example/crm/v3/objects/contacts", status_code: 201 },
      {
        method: "POST",
        url: "https://api.example/crm/v3/objects/contacts?hapikey=[REDACTED]",
        status_code: 409,
      },
    ]);
    expect(new Set(logs.map((log) => log.log_id)).size).toBe(2);
    expect(logs[0]!.dashboard_view).toBe("/connections/conn_1");
  });
});
