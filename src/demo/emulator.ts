/**
 * The HubSpot emulator of `npm start`: on a stable port, with its data kept in the data directory across
 * restarts, so connections made by following the docs keep working and their caches stay true to it.
 */
import { join } from "node:path";
import type { Workspace } from "../app/workspace.ts";
import { ConfigError } from "../core/index.ts";
import type { MutationRequest } from "../providers/hubspot/emulator/index.ts";
import {
  type PersistentHubSpotEmulator,
  startPersistentHubSpotEmulator,
} from "../providers/hubspot/emulator/persistent.ts";
import { updateConnection } from "../store/index.ts";

/** Next to the API's default port 3000. */
export const DEFAULT_EMULATOR_PORT = 3001;

/** What the demo changes in the emulator before each demo run after the first, so every run has work. */
export const DEMO_CHANGES: readonly MutationRequest[] = (["contacts", "companies", "deals"] as const).map(
  (type) => ({ type, updates: 25, archives: 3, creates: 10 }),
);

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

export interface DemoEmulator extends PersistentHubSpotEmulator {
  /** Connections whose base URL is this emulator (the demo's, Connect's, the CLI's). */
  connectionIds: string[];
}

/**
 * Starts the emulator with the data of the previous start, and points connections that used the previous
 * start's address (another port) at this one.
 */
export async function startDemoEmulator(
  workspace: Workspace,
  options: { port: number; seed: number; counts: Record<string, number>; tokens: readonly string[] },
): Promise<DemoEmulator> {
  let demo: PersistentHubSpotEmulator;
  try {
    demo = await startPersistentHubSpotEmulator({
      ...options,
      host: "127.0.0.1",
      stateFile: join(workspace.dataDir, "hubspot-emulator.json"),
    });
  } catch (error) {
    if ((error as { code?: string }).code === "EADDRINUSE") {
      throw new ConfigError(
        `Port ${options.port} on 127.0.0.1, where the HubSpot emulator listens, is taken.`,
        "Stop what uses it (another `npm start`?), or set SWITCHYARD_EMULATOR_PORT to a free port; " +
          "connections made against the old port are moved to the new one at the next start.",
      );
    }
    throw error;
  }
  const { url } = demo.emulator;
  const connectionIds: string[] = [];
  const rows = await workspace.store.db.selectFrom("connections").select(["id", "config"]).execute();
  for (const row of rows) {
    const config = JSON.parse(row.config) as { baseUrl?: string };
    if (demo.previousUrl && demo.previousUrl !== url && config.baseUrl === demo.previousUrl) {
      await updateConnection(workspace.store.db, row.id, { config: { ...config, baseUrl: url } });
      connectionIds.push(row.id);
    } else if (config.baseUrl === url) connectionIds.push(row.id);
  }
  return { ...demo, connectionIds };
}
