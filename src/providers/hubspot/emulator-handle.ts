/**
 * HubSpot's emulator declaration (`hubspot.emulator`): the emulator started for the demo and the
 * conformance suite, with its ground truth in the connector's output shape.
 */
import type {
  EmulatorChange,
  EmulatorHandle,
  EmulatorStartOptions,
  EmulatorTruth,
  SyncRecord,
} from "../../core/index.ts";
import type { ApiObject, HubSpotEmulator, ObjectTypeName } from "./emulator/index.ts";
import { DEFAULT_OAUTH_SCOPES, startHubSpotEmulator } from "./emulator/index.ts";
import { CRM_OBJECTS, type CrmObject } from "./objects.ts";

/** A well-formed private app token that no emulator accepts. */
const REFUSED_TOKEN = "pat-na1-00000000-0000-4000-8000-0000000000ff";

/** Starts the HubSpot emulator; `records` sets the contacts, with 15% as many companies and 30% as many deals. */
export async function startHubSpotEmulatorHandle(
  options: EmulatorStartOptions = {},
): Promise<EmulatorHandle> {
  const records = options.records;
  const emulator = await startHubSpotEmulator({
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.token !== undefined ? { tokens: [options.token] } : {}),
    ...(records !== undefined
      ? {
          counts: {
            contacts: records,
            companies: Math.max(1, Math.ceil(records * 0.15)),
            deals: Math.max(1, Math.ceil(records * 0.3)),
          },
        }
      : {}),
    // Search keeps HubSpot's 5 per second: the connector spaces its searches by it.
    ...(options.unlimited ? { rateLimit: { maxPerInterval: 1_000_000, daily: 100_000_000 } } : {}),
  });
  return {
    url: emulator.url,
    credentials: { type: "bearer", token: emulator.tokens[0]! },
    rejectedCredentials: { type: "bearer", token: REFUSED_TOKEN },
    streams: CRM_OBJECTS.map((object) => object.name),
    async mutate(changes) {
      for (const [stream, change] of Object.entries(changes)) emulator.mutate(mutationOf(stream, change));
    },
    async truth(stream) {
      return hubSpotTruth(emulator, objectOf(stream));
    },
    async setFaults(faults) {
      emulator.setFaults(faults);
    },
    registerOAuthApp(app) {
      emulator.oauth.registerApp({ ...app, scopes: [...DEFAULT_OAUTH_SCOPES] });
      return {
        authorizationUrl: `${emulator.url}/oauth/authorize`,
        tokenUrl: `${emulator.url}/oauth/v1/token`,
      };
    },
    close: () => emulator.close(),
  };
}

function objectOf(stream: string): CrmObject {
  const object = CRM_OBJECTS.find((candidate) => candidate.name === stream);
  if (!object) {
    throw new Error(
      `The HubSpot emulator has no stream "${stream}"; it has ${CRM_OBJECTS.map((o) => o.name).join(", ")}.`,
    );
  }
  return object;
}

function mutationOf(stream: string, change: EmulatorChange) {
  return {
    type: objectOf(stream).name satisfies ObjectTypeName,
    ...(change.creates !== undefined ? { creates: change.creates } : {}),
    ...(change.updates !== undefined ? { updates: change.updates } : {}),
    ...(change.deletes !== undefined ? { archives: change.deletes } : {}),
  };
}

/** The emulator's live records as the connector outputs them, on the fields it vouches for; archived ids. */
export function hubSpotTruth(emulator: HubSpotEmulator, object: CrmObject): EmulatorTruth {
  const truth = emulator.groundTruth(object.name);
  const live = new Map<string, SyncRecord>();
  for (const record of truth.records) live.set(record.id, truthRecord(object, record));
  return { live, deleted: new Set(truth.archivedIds) };
}

/**
 * The record fields, the declared text properties (empty ones are null, as the connector makes them) and
 * the company ids. Typed properties are left out: their types come from the properties API at read time.
 */
function truthRecord(object: CrmObject, source: ApiObject): SyncRecord {
  const record: SyncRecord = { id: source.id };
  for (const [name, type] of Object.entries(object.properties)) {
    if (type !== "string" || !Object.hasOwn(source.properties, name)) continue;
    const value = source.properties[name];
    record[name] = value === "" || value === undefined ? null : value;
  }
  record.createdAt = source.createdAt;
  record.updatedAt = source.updatedAt;
  record.archived = false;
  if (object.withCompanyIds) {
    record.companyIds = [
      ...new Set(source.associations?.companies?.results.map((result) => result.id) ?? []),
    ];
  }
  return record;
}
