import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { type ApiCaller, authenticateApiKey } from "../app/api-keys.ts";
import { SwitchyardError } from "../core/index.ts";
import type { Database } from "../store/index.ts";

const callers = new WeakMap<FastifyRequest, ApiCaller>();

/** The caller authenticated for this request, if any. */
export function callerOf(request: FastifyRequest): ApiCaller | undefined {
  return callers.get(request);
}

function unauthenticated(message: string): SwitchyardError {
  return new SwitchyardError("unauthenticated", message, {
    hint: "Send `Authorization: Bearer <API key>` with an unrevoked key of the environment you want to use.",
  });
}

/**
 * An onRequest hook that admits only requests with a valid, unrevoked API key and remembers the caller.
 * Throws `unauthenticated` (401) otherwise; never echoes the presented key.
 */
export function requireApiKey(db: Kysely<Database>) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (!header) throw unauthenticated("This endpoint needs an API key and none was sent.");
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw unauthenticated("The Authorization header must be `Bearer <API key>`.");
    const caller = await authenticateApiKey(db, match[1]);
    if (!caller) throw unauthenticated("The API key is not valid or has been revoked.");
    callers.set(request, caller);
  };
}
