import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { type ApiCaller, authenticateApiKey } from "../app/api-keys/api-keys.ts";
import { SwitchyardError } from "../core/index.ts";
import type { Database } from "../store/index.ts";
import type { AttemptLimiter } from "./attempt-limiter.ts";

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
 * Throws `unauthenticated` (401) otherwise; never echoes the presented key. With `failures`, each failed
 * attempt counts against the client address, and an address over its limit gets `rate_limited` (429) for
 * every request, right or wrong, until its window ends: keys cannot be guessed at speed.
 */
export function requireApiKey(db: Kysely<Database>, failures?: AttemptLimiter) {
  return async (request: FastifyRequest): Promise<void> => {
    await failures?.assertAllowed(
      request.ip,
      "Too many requests with a missing or wrong API key from this address.",
      "Check the key you send: `Authorization: Bearer <API key>`.",
    );
    try {
      callers.set(request, await callerFromHeader(db, request.headers.authorization));
    } catch (error) {
      await failures?.record(request.ip);
      throw error;
    }
  };
}

async function callerFromHeader(db: Kysely<Database>, header: string | undefined): Promise<ApiCaller> {
  if (!header) throw unauthenticated("This endpoint needs an API key and none was sent.");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthenticated("The Authorization header must be `Bearer <API key>`.");
  const caller = await authenticateApiKey(db, match[1]);
  if (!caller) throw unauthenticated("The API key is not valid or has been revoked.");
  return caller;
}
