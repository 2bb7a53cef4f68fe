/**
 * For the connector's tests: a small Pipedrive emulator (5 persons, organizations and deals), started before
 * the file's tests and closed after, and an HTTP client on it with no retries.
 */
import { afterAll, beforeAll } from "vitest";
import { type ClosableHttpClient, createHttpClient } from "../../http/index.ts";
import { type PipedriveEmulator, startPipedriveEmulator } from "./emulator/index.ts";
import { pipedrive } from "./index.ts";

export interface PipedriveTestWorld {
  readonly emulator: PipedriveEmulator;
  readonly http: ClosableHttpClient;
}

export function pipedriveTestWorld(): PipedriveTestWorld {
  let emulator: PipedriveEmulator | undefined;
  let http: ClosableHttpClient | undefined;
  beforeAll(async () => {
    emulator = await startPipedriveEmulator({ counts: { persons: 5, organizations: 5, deals: 5 } });
    http = createHttpClient({
      provider: "pipedrive",
      baseUrl: emulator.url,
      allowPrivateAddresses: true,
      auth: pipedrive.auth,
      credentials: { type: "api_key", key: emulator.tokens[0]! },
      maxAttempts: 1,
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
  };
}
