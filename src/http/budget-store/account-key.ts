/**
 * The key of a provider ACCOUNT's rate-limit budget. A provider limits an account (a HubSpot portal, a
 * Salesforce org), not a connection: two connections to one portal share one budget, or together they
 * would send twice what the portal allows. What identifies the account, best first:
 *  1. the provider's own account id, when known (`accountId`: HubSpot's portal id);
 *  2. for static credentials (API key, bearer token, basic username): the base URL and the credential;
 *     the same key on the same API is the same account;
 *  3. else (OAuth2 without an account id: tokens differ per connection and rotate) the connection itself.
 * The identity is hashed (sha256, base URL included, first 24 hex digits): keys never hold a secret, and
 * they are the same in every process, which is what lets Redis or Postgres share them.
 */
import { createHash } from "node:crypto";
import type { Credentials } from "../../core/index.ts";

export interface AccountKeyInput {
  /** The provider's name (`hubspot`). */
  provider: string;
  /** The base URL the connection's requests go to (an instance URL, a sandbox, an emulator). */
  baseUrl: string;
  credentials: Credentials;
  connectionId: string;
  /** The provider's own id of the account, when the connection recorded it. */
  accountId?: string | undefined;
}

export function providerAccountKey(input: AccountKeyInput): string {
  const identity = accountIdentity(input);
  if (!identity) return `${input.provider}:connection:${input.connectionId}`;
  const digest = createHash("sha256").update(`${input.baseUrl}\u0000${identity}`).digest("hex").slice(0, 24);
  return `${input.provider}:account:${digest}`;
}

function accountIdentity({ credentials, accountId }: AccountKeyInput): string | undefined {
  if (accountId) return `id\u0000${accountId}`;
  switch (credentials.type) {
    case "api_key":
      return `key\u0000${credentials.key}`;
    case "bearer":
      return `token\u0000${credentials.token}`;
    case "basic":
      return `user\u0000${credentials.username}`;
    default:
      return undefined;
  }
}
