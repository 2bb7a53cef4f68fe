/**
 * Account tokens (`X-Account-Token`) the user pasted for the unified views, per connection, for this tab
 * only (kept in memory: a reload forgets them). The API never shows an existing token again.
 */
const tokens = new Map<string, string>();

export function accountTokenOf(connectionId: string): string | undefined {
  return tokens.get(connectionId);
}

export function rememberAccountToken(connectionId: string, token: string): void {
  tokens.set(connectionId, token);
}
