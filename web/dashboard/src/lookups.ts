/** Names shared by many pages: providers by name, and how a connection is called on screen. */
import type { Client, Connection, Provider } from "./api.ts";
import { useQuery } from "./hooks.ts";

export function useProviders() {
  return useQuery("providers", async (client) => (await client.get("/v1/providers")).data);
}

export function providerName(providers: Provider[] | undefined, name: string): string {
  return providers?.find((provider) => provider.name === name)?.display_name ?? name;
}

/** The end user a connection belongs to, as people know them: organization, else email, else id. */
export function endUserLabel(connection: Pick<Connection, "end_user" | "id">): string {
  const user = connection.end_user;
  return user.organization ?? user.email ?? user.id ?? connection.id;
}

/** Every connection of the environment (a few pages at most for a dashboard's pickers). */
export async function allConnections(client: Client, max = 1_000): Promise<Connection[]> {
  const found: Connection[] = [];
  for await (const connection of client.list("/v1/connections", { query: { limit: 200 } })) {
    found.push(connection);
    if (found.length >= max) break;
  }
  return found;
}

export function useConnectionList() {
  return useQuery("connections:all", (client) => allConnections(client));
}

/** "Initech · HubSpot" for a connection id, from the environment's connections (the id until they load). */
export function useConnectionLabel(): (connectionId: string) => string {
  const providers = useProviders();
  const connections = useConnectionList();
  return (connectionId) => {
    const connection = connections.data?.find((item) => item.id === connectionId);
    return connection
      ? `${endUserLabel(connection)} · ${providerName(providers.data, connection.provider)}`
      : connectionId;
  };
}
