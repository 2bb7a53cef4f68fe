/**
 * The Salesforce emulator behind `ProviderDefinition.emulator`: the uniform handle the demo and the
 * conformance suite drive (credentials it accepts and refuses, changes per stream, truth per stream as the
 * connector lands it, fault knobs).
 */
import type {
  EmulatorChange,
  EmulatorHandle,
  EmulatorStartOptions,
  EmulatorTruth,
  SyncRecord,
} from "../../../core/index.ts";
import type { ObjectName } from "./catalog.ts";
import { DEFAULT_OAUTH_SCOPES, OAUTH_AUTHORIZE_PATH, OAUTH_TOKEN_PATH } from "./oauth.ts";
import { DEFAULT_TOKEN, startSalesforceEmulator } from "./server.ts";

/** Stream → sObject, as the connector names them (src/providers/salesforce/objects.ts). */
const STREAM_OBJECTS: Readonly<Record<string, ObjectName>> = {
  accounts: "Account",
  contacts: "Contact",
  opportunities: "Opportunity",
  users: "User",
  stages: "OpportunityStage",
};
/** The connector keys stages by ApiName (how opportunities name them); every other stream by Id. */
const keyOf = (object: ObjectName) => (object === "OpportunityStage" ? "ApiName" : "Id");

export async function startSalesforceEmulatorHandle(
  options: EmulatorStartOptions = {},
): Promise<EmulatorHandle> {
  const records = options.records;
  const emulator = await startSalesforceEmulator({
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(records !== undefined
      ? {
          size: {
            accounts: records,
            contacts: records,
            opportunities: records,
            users: Math.max(1, Math.min(records, 25)),
          },
        }
      : {}),
    ...(options.unlimited ? { rateLimit: { daily: 100_000_000 } } : {}),
    // Small test orgs still page (Salesforce may return fewer rows per batch than asked).
    ...(records !== undefined ? { largestBatch: Math.max(10, Math.ceil(records / 6)) } : {}),
  });
  const objectOf = (stream: string): ObjectName => {
    const object = STREAM_OBJECTS[stream];
    if (!object) throw new Error(`The Salesforce emulator has no stream "${stream}".`);
    return object;
  };
  return {
    url: emulator.url,
    credentials: { type: "bearer", token: DEFAULT_TOKEN },
    rejectedCredentials: { type: "bearer", token: `${DEFAULT_TOKEN.slice(0, 15)}!NotASession` },
    streams: Object.keys(STREAM_OBJECTS),
    async mutate(changes: Readonly<Record<string, EmulatorChange>>) {
      for (const [stream, change] of Object.entries(changes))
        emulator.change({ object: objectOf(stream), ...change });
    },
    async truth(stream: string): Promise<EmulatorTruth> {
      const object = objectOf(stream);
      const truth = emulator.groundTruth(object);
      // The fields it vouches for, valued as the connector outputs them (times as ISO-8601 in UTC).
      const live = new Map<string, SyncRecord>(
        truth.live.map((record) => [
          String(record[keyOf(object)]),
          {
            Id: record.Id,
            SystemModstamp: new Date(Date.parse(String(record.SystemModstamp))).toISOString(),
            // OpportunityStage has no Name.
            ...(record.Name !== undefined ? { Name: record.Name } : {}),
          },
        ]),
      );
      return { live, deleted: new Set(truth.deletedIds) };
    },
    async setFaults(faults) {
      emulator.setFaults(faults);
    },
    registerOAuthApp(app) {
      emulator.oauth.registerApp({ ...app, scopes: DEFAULT_OAUTH_SCOPES });
      return {
        authorizationUrl: `${emulator.url}${OAUTH_AUTHORIZE_PATH}`,
        tokenUrl: `${emulator.url}${OAUTH_TOKEN_PATH}`,
      };
    },
    close: () => emulator.close(),
  };
}
