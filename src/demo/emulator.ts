/**
 * The emulator of `npm start`: the demo provider's (through its emulator declaration, so any provider that
 * declares one can be the demo's), on a stable port, with its data kept in the data directory across
 * restarts, so connections made by following the docs keep working and their caches stay true to it.
 */
import { join } from "node:path";
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

/** The emulator's port: SWITCHYARD_EMULATOR_PORT, else DEFAULT_EMULATOR_PORT (0 picks any free port). */
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

/**
 * The demo's provider: SWITCHYARD_DEMO_PROVIDER, else the first registered provider that declares an
 * emulator. A provider without one cannot be the demo's.
 */
export function demoProvider(
  providers: Readonly<Record<string, ProviderDefinition>>,
  env: NodeJS.ProcessEnv = process.env,
): ProviderDefinition {
  const withEmulator = Object.values(providers).filter((provider) => provider.emulator !== undefined);
  const names = withEmulator.map((provider) => provider.name).join(", ");
  const wanted = env.SWITCHYARD_DEMO_PROVIDER;
  const chosen =
    wanted === undefined || wanted === "" ? withEmulator[0] : withEmulator.find((p) => p.name === wanted);
  if (!chosen) {
    throw new ConfigError(
      wanted
        ? `SWITCHYARD_DEMO_PROVIDER "${wanted}" is not a provider with an emulator.`
        : "No registered provider declares an emulator, so `npm start` has no demo.",
      names ? `Set SWITCHYARD_DEMO_PROVIDER to one of: ${names}.` : "Declare one (docs/conformance.md).",
    );
  }
  return chosen;
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
  options: { port: number; seed: number; records: number; token: string },
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
        "Stop what uses it (another `npm start`?), or set SWITCHYARD_EMULATOR_PORT to a free port; " +
          "connections made against the old port are moved to the new one at the next start.",
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
