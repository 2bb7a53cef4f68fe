/** The signed-in session: the API key, its client, and signing out. */
import { createContext, type ReactNode, useContext, useMemo } from "react";
import { type Client, clientFor } from "./api.ts";

interface Session {
  apiKey: string;
  client: Client;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider(props: { apiKey: string; onSignOut(): void; children: ReactNode }) {
  const { apiKey, onSignOut } = props;
  const value = useMemo(
    () => ({ apiKey, client: clientFor(apiKey), signOut: onSignOut }),
    [apiKey, onSignOut],
  );
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page.");
  return session;
}

export function useClient(): Client {
  return useSession().client;
}
