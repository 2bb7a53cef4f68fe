/**
 * `/_emulator/oauth/*`: steer the OAuth server — register apps, shorten token lifetimes, expire access
 * tokens, revoke refresh tokens, and read the token-endpoint counters.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { OAuthState } from "./state.ts";

const appSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  name: z.string().optional(),
  redirectUris: z.array(z.url()).min(1),
  scopes: z.array(z.string().min(1)),
  optionalScopes: z.array(z.string().min(1)).optional(),
});

type Parse = <T>(schema: z.ZodType<T>, body: unknown) => T;

/** What the OAuth server looks like now; never includes client secrets or tokens. */
export function oauthSummary(state: OAuthState) {
  return {
    apps: [...state.apps.values()].map((app) => ({
      clientId: app.clientId,
      name: app.name ?? null,
      redirectUris: app.redirectUris,
      scopes: app.scopes,
    })),
    accessTokenTtlSeconds: state.accessTokenTtlSeconds,
    tokenRequests: state.requests,
    grants: state.refreshGrants.size,
  };
}

/** Registers the OAuth control routes under `prefix`; `parse` answers 400 for a body that does not fit. */
export function oauthControlRoutes(
  app: FastifyInstance,
  state: OAuthState,
  parse: Parse,
  prefix: string,
): void {
  app.get(prefix, async () => oauthSummary(state));

  app.post(`${prefix}/apps`, async (request, reply) => {
    const registered = state.registerApp(parse(appSchema, request.body));
    return reply.code(201).send({ clientId: registered.clientId, appId: registered.appId });
  });

  app.post(`${prefix}/settings`, async (request) => {
    const body = parse(z.object({ accessTokenTtlSeconds: z.number().int().min(1) }), request.body);
    state.accessTokenTtlSeconds = body.accessTokenTtlSeconds;
    return oauthSummary(state);
  });

  app.post(`${prefix}/expire-access-tokens`, async (request) => {
    const { accessToken } = parse(z.object({ accessToken: z.string().optional() }), request.body);
    return { expired: state.expireAccessTokens(accessToken) };
  });

  app.post(`${prefix}/revoke-refresh-tokens`, async (request) => {
    const { refreshToken } = parse(z.object({ refreshToken: z.string().optional() }), request.body);
    return { revoked: state.revokeRefreshTokens(refreshToken) };
  });
}
