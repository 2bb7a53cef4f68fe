/**
 * The Pipedrive emulator behind `ProviderDefinition.emulator`: the uniform handle the demo and the
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
import { defined, oneOf } from "../../../emulator/index.ts";
import { ENTITIES, type Entity } from "./catalog.ts";
import { startPipedriveEmulator } from "./server.ts";

/** Every scope the emulated OAuth server grants an app registered through the handle. */
const SCOPES = "base contacts:read contacts:full deals:read deals:full activities:read users:read".split(" ");

export async function startPipedriveEmulatorHandle(
  options: EmulatorStartOptions = {},
): Promise<EmulatorHandle> {
  const { seed, port, host, token, records: n } = options;
  const emulator = await startPipedriveEmulator({
    ...defined({ seed, port, host, tokens: token === undefined ? undefined : [token] }),
    ...(n !== undefined ? { counts: { persons: n, organizations: n, deals: n, activities: n } } : {}),
    ...(options.unlimited ? { rateLimit: { perTwoSeconds: 1_000_000, daily: 100_000_000 } } : {}),
  });
  const entityOf = (stream: string): Entity => oneOf(ENTITIES, stream, "The Pipedrive emulator");
  // The fields it vouches for, valued as the connector outputs them (times as ISO-8601 in UTC).
  const vouched = ({ id, update_time }: Record<string, unknown>): [string, SyncRecord] => [
    String(id),
    { id, update_time: new Date(Date.parse(String(update_time))).toISOString() },
  ];
  return {
    url: emulator.url,
    credentials: { type: "api_key", key: emulator.tokens[0]! },
    rejectedCredentials: { type: "api_key", key: "f".repeat(40) },
    streams: ENTITIES,
    async mutate(changes: Readonly<Record<string, EmulatorChange>>) {
      for (const [stream, change] of Object.entries(changes))
        emulator.change({ entities: [entityOf(stream)], ...change });
    },
    async truth(stream: string): Promise<EmulatorTruth> {
      const truth = emulator.groundTruth(entityOf(stream));
      return { live: new Map(truth.records.map(vouched)), deleted: new Set(truth.deletedIds.map(String)) };
    },
    async setFaults(faults) {
      emulator.setFaults(faults);
    },
    registerOAuthApp(app) {
      emulator.oauth.registerApp({ ...app, scopes: SCOPES });
      return { authorizationUrl: `${emulator.url}/oauth/authorize`, tokenUrl: `${emulator.url}/oauth/token` };
    },
    close: () => emulator.close(),
  };
}
