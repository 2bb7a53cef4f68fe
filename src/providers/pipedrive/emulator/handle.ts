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
import { defined } from "../../../emulator/index.ts";
import { ENTITIES, type Entity } from "./catalog.ts";
import { DEFAULT_TOKEN, startPipedriveEmulator } from "./server.ts";

export async function startPipedriveEmulatorHandle(
  options: EmulatorStartOptions = {},
): Promise<EmulatorHandle> {
  const records = options.records;
  const emulator = await startPipedriveEmulator({
    ...defined({ seed: options.seed, port: options.port, host: options.host }),
    ...(records !== undefined
      ? { counts: { persons: records, organizations: records, deals: records, activities: records } }
      : {}),
    ...(options.unlimited ? { rateLimit: { perTwoSeconds: 1_000_000, daily: 100_000_000 } } : {}),
  });
  const entityOf = (stream: string): Entity => {
    if (!(ENTITIES as readonly string[]).includes(stream))
      throw new Error(`The Pipedrive emulator has no stream "${stream}".`);
    return stream as Entity;
  };
  return {
    url: emulator.url,
    credentials: { type: "api_key", key: DEFAULT_TOKEN },
    rejectedCredentials: { type: "api_key", key: "f".repeat(40) },
    streams: ENTITIES,
    async mutate(changes: Readonly<Record<string, EmulatorChange>>) {
      for (const [stream, change] of Object.entries(changes))
        emulator.change({ entities: [entityOf(stream)], ...change });
    },
    async truth(stream: string): Promise<EmulatorTruth> {
      const truth = emulator.groundTruth(entityOf(stream));
      // The fields it vouches for, valued as the connector outputs them (times as ISO-8601 in UTC).
      const live = new Map<string, SyncRecord>(
        truth.records.map((record) => [
          String(record.id),
          { id: record.id, update_time: new Date(Date.parse(String(record.update_time))).toISOString() },
        ]),
      );
      return { live, deleted: new Set(truth.deletedIds.map(String)) };
    },
    async setFaults(faults) {
      emulator.setFaults(faults);
    },
    close: () => emulator.close(),
  };
}
