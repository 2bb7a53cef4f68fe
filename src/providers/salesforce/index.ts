/**
 * Salesforce: OAuth 2.0 web server flow (the token response's `instance_url` is the connection's base URL)
 * or a session id, the REST API's SOQL `query` / `queryAll` with `nextRecordsUrl` paging, incremental reads
 * on SystemModstamp with deletes seen through IsDeleted, fields from sObject describe (custom `__c` ones
 * included), the `Sforce-Limit-Info` budget, and typed writes (actions.ts), many at once through sObject
 * Collections (batch-actions.ts). docs/providers/salesforce.md.
 */
import { z } from "zod";
import type { ProviderDefinition } from "../../core/index.ts";
import { defineProvider } from "../kit/index.ts";
import { salesforceActions } from "./actions.ts";
import { DATA_PATH, USERINFO_PATH } from "./api.ts";
import { salesforceBatchActions } from "./batch-actions.ts";
import { salesforceCreatedRecords } from "./created-records.ts";
import { SOBJECTS } from "./objects.ts";
import { sObjectStream } from "./stream.ts";

/** Where users sign in; API calls go to the org's own instance URL, which the token response names. */
export const SALESFORCE_LOGIN_URL = "https://login.salesforce.com";

const declared = defineProvider({
  name: "salesforce",
  displayName: "Salesforce",
  baseUrl: SALESFORCE_LOGIN_URL,
  auth: { type: "bearer" },
  credentialFields: [
    {
      name: "token",
      label: "Access token (session id)",
      type: "secret",
      help: "An OAuth access token or session id of an API-enabled user, e.g. from `sf org display`. Set the connection's base URL to the org's instance URL (https://yourdomain.my.salesforce.com).",
      pattern: "00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+",
      placeholder: "00D…!AQ…",
    },
  ],
  // The web server flow: PKCE is supported, the client id and secret go in the form. Salesforce states no
  // token lifetime (sessions time out per org setting); a 401 renews the token with the refresh token.
  oauth2: {
    authorizationUrl: `${SALESFORCE_LOGIN_URL}/services/oauth2/authorize`,
    tokenUrl: `${SALESFORCE_LOGIN_URL}/services/oauth2/token`,
    scopes: ["api", "refresh_token"],
    pkce: true,
    clientAuth: "client_secret_post",
    instanceUrlField: "instance_url",
  },
  // `Sforce-Limit-Info: api-usage=18/15000` on every response: a rolling 24-hour allowance per org.
  rateLimit: {
    usage: { header: "sforce-limit-info", pattern: "api-usage=(?<used>\\d+)/(?<limit>\\d+)" },
    windowMs: 86_400_000,
    // Over the limit (daily, or concurrent long requests) is a 403 REQUEST_LIMIT_EXCEEDED, not a 429.
    refusal: { status: 403, bodyIncludes: "REQUEST_LIMIT_EXCEEDED" },
  },
  check: { path: `${DATA_PATH}/limits` },
  streams: SOBJECTS.map((spec) => sObjectStream(spec)),
});

export const salesforce: ProviderDefinition = {
  ...declared,
  actions: [...salesforceActions, ...salesforceBatchActions],
  createdRecords: salesforceCreatedRecords,
  // The org is the account: every connection of one org shares its daily API allowance.
  async accountId(http, signal) {
    const response = await http.request({ path: USERINFO_PATH }, { signal });
    return z.looseObject({ organization_id: z.string().min(1) }).parse(response.body).organization_id;
  },
  // Loaded only when started, so loading the definition does not load the emulator.
  emulator: async (options) => (await import("./emulator/handle.ts")).startSalesforceEmulatorHandle(options),
};

export { type SaveResult, salesforceActions } from "./actions.ts";
export { API_VERSION } from "./api.ts";
export { SOBJECTS } from "./objects.ts";
