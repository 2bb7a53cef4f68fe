/**
 * The authorize step: check the app, redirect URL and scopes, show a consent screen, and
 * send the browser back to the app with `code` and `state` — or `error=access_denied` when declined.
 * Problems with the request itself are shown on the page, never redirected (the redirect URL is not trusted).
 */
import { z } from "zod";
import type { OAuthState, PendingConsent } from "./state.ts";

const authorizeQuery = z.object({
  client_id: z.string({ error: "client_id is missing" }).min(1, "client_id is missing"),
  redirect_uri: z.string({ error: "redirect_uri is missing" }).min(1, "redirect_uri is missing"),
  scope: z.string().optional(),
  state: z.string().optional(),
  response_type: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
});

/** Space-separated scopes (`+` and `,` between them are accepted too). */
function scopeList(value: string | undefined): string[] {
  return (value ?? "").split(/[\s+,]+/).filter((scope) => scope !== "");
}

/** The consent to show for an authorize request, or what is wrong with the request. */
export function checkAuthorizeRequest(
  state: OAuthState,
  rawQuery: unknown,
): { consent: PendingConsent } | { problem: string } {
  const parsed = authorizeQuery.safeParse(rawQuery ?? {});
  if (!parsed.success) return { problem: parsed.error.issues.map((issue) => issue.message).join("; ") };
  const query = parsed.data;
  const { scopeRule, optionalScopeParam } = state.config;
  if (scopeRule === "require-all" && !query.scope) return { problem: "scope is missing" };
  const app = state.apps.get(query.client_id);
  if (!app) return { problem: `Couldn't find an app with client ID ${query.client_id}.` };
  if (!app.redirectUris.includes(query.redirect_uri)) {
    return { problem: "The redirect URL doesn't match any redirect URL in the app's auth settings." };
  }
  if (query.response_type !== undefined && query.response_type !== "code") {
    return { problem: `Unsupported response_type "${query.response_type}"; use "code".` };
  }
  if (query.code_challenge !== undefined && query.code_challenge_method !== "S256") {
    return { problem: "code_challenge_method must be S256." };
  }
  // Without a scope parameter, a "subset" provider grants what the app is configured for.
  const requested = query.scope ? scopeList(query.scope) : [...app.scopes];
  const optional = app.optionalScopes ?? [];
  const unknown = requested.filter((scope) => !app.scopes.includes(scope) && !optional.includes(scope));
  if (unknown.length > 0) {
    return { problem: `The app isn't configured for these scopes: ${unknown.join(", ")}.` };
  }
  const missing = scopeRule === "require-all" ? app.scopes.filter((scope) => !requested.includes(scope)) : [];
  if (missing.length > 0) {
    return {
      problem: `The authorization URL must include the app's required scopes: ${missing.join(", ")}.`,
    };
  }
  const granted = [
    ...requested,
    ...scopeList(optionalScopeParam ? optionalOf(rawQuery, optionalScopeParam) : undefined).filter(
      (scope) => optional.includes(scope) && !requested.includes(scope),
    ),
  ];
  return {
    consent: {
      app,
      redirectUri: query.redirect_uri,
      scopes: granted,
      state: query.state,
      codeChallenge: query.code_challenge,
    },
  };
}

/** The provider's optional-scope parameter, when the query has it once. */
function optionalOf(rawQuery: unknown, name: string): string | undefined {
  const value = (rawQuery as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : undefined;
}

/** Where the browser goes after the user answered a held consent; undefined when the consent is unknown. */
export function decideConsent(state: OAuthState, consentId: string, approve: boolean): string | undefined {
  const consent = state.consents.get(consentId);
  if (!consent) return undefined;
  state.consents.delete(consentId);
  const target = new URL(consent.redirectUri);
  if (approve) {
    target.searchParams.set("code", state.issueCode(consent));
  } else {
    target.searchParams.set("error", "access_denied");
    target.searchParams.set("error_description", "The user declined to install the app.");
  }
  if (consent.state !== undefined) target.searchParams.set("state", consent.state);
  return target.href;
}
