/**
 * The emulators of `npm start`: each demo provider's (through its emulator declaration, so any provider that
 * declares one is in the demo), each on a stable port, with its data kept in the data directory across
 * restarts, so connections made by following the docs keep working and their caches stay true to it.
 */
import { join } from "node:path";
import { credentialFieldsOf } from "../app/connections/credential-fields.ts";
import type { Workspace } from "../app/workspace.ts";
import { ConfigError, type ProviderDefinition } from "../core/index.ts";
import { updateConnection } from "../store/index.ts";
import {
  type EmulatorChanges,
  type PersistentEmulator,
  startPersistentEmulator,
} from "./persistent-emulator.ts";

/** Next to the API's default port 3000. */
export const DEFAULT_EMULATOR_PORT = 3001;

/** What the demo changes in every stream of the emulator before each demo run after the first, so every run has work. */
export function demoChanges(streams: readonly string[]): EmulatorChanges {
  return Object.fromEntries(streams.map((stream) => [stream, { updates: 25, deletes: 3, creates: 10 }]));
}

/**
 * The first emulator's port: SWITCHYARD_EMULATOR_PORT, else DEFAULT_EMULATOR_PORT (0 picks any free port
 * for every emulator).
 */
export function demoEmulatorPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SWITCHYARD_EMULATOR_PORT;
  if (raw === undefined || raw === "") return DEFAULT_EMULATOR_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(
      `SWITCHYARD_EMULATOR_PORT "${raw}" is not a port number.`,
      `Set it to a free port (default ${DEFAULT_EMULATOR_PORT}).`,
    );
  }
  return port;
}

/** Registered providers that declare an emulator, in registry order: the ones `npm start` can demo. */
function providersWithEmulators(
  providers: Readonly<Record<string, ProviderDefinition>>,
): ProviderDefinition[] {
  return Object.values(providers).filter((provider) => provider.emulator !== undefined);
}

/**
 * Each demo provider's emulator port: the first port plus the provider's place among every provider with an
 * emulator (registry order), so a provider keeps its port whichever subset runs; 0 stays 0 (any free port).
 */
export function demoEmulatorPorts(
  chosen: readonly ProviderDefinition[],
  providers: Readonly<Record<string, ProviderDefinition>>,
  first: number,
): Map<string, number> {
  const all = providersWithEmulators(providers).map((provider) => provider.name);
  const ports = new Map<string, number>();
  for (const provider of chosen) {
    const port = first === 0 ? 0 : first + all.indexOf(provider.name);
    if (port > 65_535) {
      throw new ConfigError(
        `SWITCHYARD_EMULATOR_PORT ${first} leaves no port for the ${provider.displayName} emulator (${port}).`,
        `Set it to at most ${65_535 - all.length + 1}: the emulators take it and the ${all.length - 1} after it.`,
      );
    }
    ports.set(provider.name, port);
  }
  return ports;
}

/**
 * The demo's providers: those SWITCHYARD_DEMO_PROVIDERS names (comma-separated), else every registered
 * provider that declares an emulator. A provider without one cannot be in the demo.
 */
export function demoProviders(
  providers: Readonly<Record<string, ProviderDefinition>>,
  env: NodeJS.ProcessEnv = process.env,
): ProviderDefinition[] {
  const withEmulator = providersWithEmulators(providers);
  const names = withEmulator.map((provider) => provider.name).join(", ");
  if (withEmulator.length === 0) {
    throw new ConfigError(
      "No registered provider declares an emulator, so `npm start` has no demo.",
      "Declare one (docs/conformance.md).",
    );
  }
  // SWITCHYARD_DEMO_PROVIDER (one name) is what earlier versions read.
  const raw = env.SWITCHYARD_DEMO_PROVIDERS || env.SWITCHYARD_DEMO_PROVIDER || "";
  const wanted = [
    ...new Set(
      raw
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  if (wanted.length === 0) return withEmulator;
  const unknown = wanted.filter((name) => !withEmulator.some((provider) => provider.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `SWITCHYARD_DEMO_PROVIDERS names ${unknown.map((name) => `"${name}"`).join(", ")}, not a provider with an emulator.`,
      `Set it to some of (comma-separated): ${names}.`,
    );
  }
  return withEmulator.filter((provider) => wanted.includes(provider.name));
}

/**
 * The token the demo asks an emulator to accept (so the docs can name it), when it fits the format of the
 * provider's token field; otherwise the emulator keeps its own, which the Connect form accepts.
 */
export function demoToken(provider: ProviderDefinition, token: string): string | undefined {
  const field = credentialFieldsOf(provider).find((candidate) => candidate.type === "secret");
  if (field?.pattern === undefined) return token;
  return new RegExp(`^(?:${field.pattern})$`).test(token) ? token : undefined;
}

export interface DemoEmulator extends PersistentEmulator {
  provider: ProviderDefinition;
  /** Connections whose base URL is this emulator (the demo's, Connect's, the CLI's). */
  connectionIds: string[];
}

/**
 * Starts the provider's emulator with the data of the previous start, and points connections that used the
 * previous start's address (another port) at this one.
 */
export async function startDemoEmulator(
  workspace: Workspace,
  provider: ProviderDefinition,
  options: { port: number; seed: number; records: number; token?: string },
): Promise<DemoEmulator> {
  let demo: PersistentEmulator;
  try {
    demo = await startPersistentEmulator(provider, {
      ...options,
      host: "127.0.0.1",
      stateFile: join(workspace.dataDir, `${provider.name}-emulator.json`),
    });
  } catch (error) {
    if ((error as { code?: string }).code === "EADDRINUSE") {
      throw new ConfigError(
        `Port ${options.port} on 127.0.0.1, where the ${provider.displayName} emulator listens, is taken.`,
        "Stop what uses it (another `npm start`?), or set SWITCHYARD_EMULATOR_PORT to a free port (the " +
          "emulators take it and the ports after it, one each); connections made against the old port are " +
          "moved to the new one at the next start.",
      );
    }
    throw error;
  }
  const { url } = demo.handle;
  const connectionIds: string[] = [];
  const rows = await workspace.store.db.selectFrom("connections").select(["id", "config"]).execute();
  for (const row of rows) {
    const config = JSON.parse(row.config) as { baseUrl?: string };
    if (demo.previousUrl && demo.previousUrl !== url && config.baseUrl === demo.previousUrl) {
      await updateConnection(workspace.store.db, row.id, { config: { ...config, baseUrl: url } });
      connectionIds.push(row.id);
    } else if (config.baseUrl === url) connectionIds.push(row.id);
  }
  return { ...demo, provider, connectionIds };
}
