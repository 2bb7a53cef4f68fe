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
import { defined } from "../../emulator/index.ts";
import type { ApiObject, HubSpotEmulator } from "./emulator/index.ts";
import { DEFAULT_OAUTH_SCOPES, startHubSpotEmulator } from "./emulator/index.ts";
import { dealPipelines } from "./emulator/pipelines.ts";
import { CRM_OBJECTS, type CrmObject } from "./objects.ts";
import { ownersStream } from "./owners.ts";
import { dealStagesStream } from "./pipelines.ts";

/** A well-formed private app token that no emulator accepts. */
const REFUSED_TOKEN = "pat-na1-00000000-0000-4000-8000-0000000000ff";
const OWNERS = ownersStream.name;
const DEAL_STAGES = dealStagesStream.name;

/** Starts the HubSpot emulator; `records` sets the contacts, with 15% as many companies and 30% as many deals. */
export async function startHubSpotEmulatorHandle(
  options: EmulatorStartOptions = {},
): Promise<EmulatorHandle> {
  const { seed, port, host, token, records: n } = options;
  const emulator = await startHubSpotEmulator({
    ...defined({ seed, port, host, tokens: token === undefined ? undefined : [token] }),
    ...(n !== undefined
      ? {
          counts: {
            contacts: n,
            companies: Math.max(1, Math.ceil(n * 0.15)),
            deals: Math.max(1, Math.ceil(n * 0.3)),
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
    streams: [...CRM_OBJECTS.map((object) => object.name), OWNERS],
    fixedStreams: [DEAL_STAGES],
    async mutate(changes) {
      for (const [stream, change] of Object.entries(changes)) {
        const { creates, updates, deletes: archives } = change satisfies EmulatorChange;
        const counts = defined({ creates, updates, archives });
        if (stream === OWNERS) emulator.mutateOwners(counts);
        else emulator.mutate({ type: objectOf(stream).name, ...counts });
      }
    },
    truth: async (stream) =>
      stream === OWNERS
        ? ownersTruth(emulator)
        : stream === DEAL_STAGES
          ? dealStagesTruth()
          : hubSpotTruth(emulator, objectOf(stream)),
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
    const known = [...CRM_OBJECTS.map((o) => o.name), OWNERS, DEAL_STAGES].join(", ");
    throw new Error(`The HubSpot emulator has no stream "${stream}"; it has ${known}.`);
  }
  return object;
}

/** The emulator's live records as the connector outputs them, on the fields it vouches for; archived ids. */
export function hubSpotTruth(emulator: HubSpotEmulator, object: CrmObject): EmulatorTruth {
  const truth = emulator.groundTruth(object.name);
  const live = new Map<string, SyncRecord>();
  for (const record of truth.records) live.set(record.id, truthRecord(object, record));
  return { live, deleted: new Set(truth.archivedIds) };
}

/** Active owners as the owners API lists them (the connector keeps them as they are); deactivated ids. */
function ownersTruth(emulator: HubSpotEmulator): EmulatorTruth {
  const owners = emulator.owners();
  return {
    live: new Map(owners.filter((owner) => !owner.archived).map((owner) => [owner.id, { ...owner }])),
    deleted: new Set(owners.filter((owner) => owner.archived).map((owner) => owner.id)),
  };
}

/** The deal pipelines' stages as the connector outputs them (the emulator's handle uses the default clock). */
function dealStagesTruth(): EmulatorTruth {
  const live = new Map<string, SyncRecord>();
  for (const pipeline of dealPipelines())
    for (const stage of pipeline.stages)
      live.set(stage.id, { ...stage, pipelineId: pipeline.id, pipelineLabel: pipeline.label });
  return { live, deleted: new Set() };
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
