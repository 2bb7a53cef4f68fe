/**
 * The provider's own id of the account an OAuth2 connection holds (HubSpot's portal id, Pipedrive's company
 * id), so every connection of one account draws on ONE rate-limit budget (providerAccountKey). An OAuth2
 * connection's tokens differ from every other's, so without this id each would pace against a budget of
 * its own and together they would flood the account.
 *
 * The id is asked of the provider once (its `accountId` call, or `webhooks.accountId`: the same lookup
 * inbound webhooks use to route events) and kept with the connection (`inbound_webhook_accounts`); later runs read it back.
 */
import type { Credentials, HttpClient, ProviderDefinition } from "../../core/index.ts";
import { type ConnectionRow, type Store, saveAccountId } from "../../store/index.ts";

/** How long the one lookup may take before the run goes on with the connection's own budget. */
const LOOKUP_TIMEOUT_MS = 15_000;

/**
 * The connection's account id at its provider: the stored one, else (OAuth2 only, and only when the provider
 * can tell it) looked up through `openHttp` and stored. Undefined when not known: static credentials are
 * already keyed by the credential itself, and a provider that cannot tell keeps one budget per connection.
 * A failed lookup is reported through `onLookupError` and leaves the id unknown (the run is not failed for it).
 */
export async function connectionAccountId(
  store: Pick<Store, "db">,
  provider: ProviderDefinition,
  connection: ConnectionRow,
  credentials: Credentials,
  openHttp: () => Promise<HttpClient & { close(): Promise<void> }>,
  onLookupError: (error: unknown) => void = () => undefined,
): Promise<string | undefined> {
  if (credentials.type !== "oauth2") return undefined;
  const stored = await store.db
    .selectFrom("inbound_webhook_accounts")
    .select("account_id")
    .where("connection_id", "=", connection.id)
    .executeTakeFirst();
  if (stored) return stored.account_id;
  const lookup = provider.accountId ?? provider.webhooks?.accountId;
  if (!lookup) return undefined;
  try {
    const http = await openHttp();
    try {
      const accountId = await lookup(http, AbortSignal.timeout(LOOKUP_TIMEOUT_MS));
      await saveAccountId(store.db, connection, accountId);
      return accountId;
    } finally {
      await http.close();
    }
  } catch (error) {
    onLookupError(error);
    return undefined;
  }
}
