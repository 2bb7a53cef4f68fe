import type { ConnectionRow, ConnectSessionRow } from "../../store/index.ts";
import { credentialFieldsOf, credentialsFromFields } from "../connections/credential-fields.ts";
import { checkNewCredentials } from "../connections/provider-http.ts";
import { findProvider, type PlatformDeps } from "../platform.ts";
import { completeConnectSession } from "./complete.ts";
import { assertProviderAllowed, countingFailedAttempts } from "./sessions.ts";

export { credentialFieldsOf };

/**
 * The API-key path of Connect: validates the typed values against the provider's form, checks them live
 * with the provider's own check call, and only if that passes completes the session with them. A rejected
 * check throws the provider's typed error (e.g. credentials_rejected with its message) and leaves the
 * session open for another try — until MAX_FAILED_ATTEMPTS locks it.
 */
export async function connectWithCredentials(
  deps: Pick<PlatformDeps, "db" | "vault" | "providers" | "providerSettings" | "checkHttp">,
  session: ConnectSessionRow,
  providerName: string,
  values: Readonly<Record<string, string>>,
): Promise<ConnectionRow> {
  assertProviderAllowed(session, providerName);
  const provider = findProvider(deps.providers, providerName);
  const credentials = credentialsFromFields(provider, values);
  await countingFailedAttempts(deps, session, () =>
    checkNewCredentials(deps, provider, credentials, session.environment_id),
  );
  return completeConnectSession(deps, session, provider, credentials);
}
