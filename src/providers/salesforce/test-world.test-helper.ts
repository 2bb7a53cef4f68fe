/**
 * For the connector's tests: a small Salesforce emulator, started before the file's tests and closed after,
 * and an HTTP client on it (no retries) that counts its requests.
 */
import { afterAll, beforeAll } from "vitest";
import type { HttpClient } from "../../core/index.ts";
import { createHttpClient } from "../../http/index.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "./emulator/index.ts";
import { salesforce } from "./index.ts";

export interface SalesforceTestWorld {
  readonly emulator: SalesforceEmulator;
  readonly http: HttpClient;
  /** Requests the client has sent so far. */
  readonly requests: number;
}

export function salesforceTestWorld(): SalesforceTestWorld {
  let emulator: SalesforceEmulator | undefined;
  let http: (HttpClient & { close(): Promise<void> }) | undefined;
  let requests = 0;
  beforeAll(async () => {
    emulator = await startSalesforceEmulator({
      size: { accounts: 5, contacts: 5, opportunities: 5, users: 3 },
    });
    const client = createHttpClient({
      provider: "Salesforce",
      baseUrl: emulator.url,
      auth: salesforce.auth,
      credentials: { type: "bearer", token: emulator.tokens[0]! },
      allowPrivateAddresses: true,
      maxAttempts: 1,
    });
    http = Object.assign(Object.create(client) as typeof client, {
      request: (request: Parameters<HttpClient["request"]>[0]) => {
        requests++;
        return client.request(request);
      },
    });
  });
  afterAll(async () => {
    await http?.close();
    await emulator?.close();
  });
  return {
    get emulator() {
      return emulator!;
    },
    get http() {
      return http!;
    },
    get requests() {
      return requests;
    },
  };
}
