import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { linkedConnection } from "../app/unified/account-tokens.ts";
import { SwitchyardError } from "../core/index.ts";
import type { ConnectionRow, Database } from "../store/index.ts";
import { callerOf } from "./auth.ts";

const accounts = new WeakMap<FastifyRequest, ConnectionRow>();

/** The connection this request's `X-Account-Token` named, on `account_token` routes. */
export function accountOf(request: FastifyRequest): ConnectionRow | undefined {
  return accounts.get(request);
}

/**
 * An onRequest hook, after the API key's: admits only requests whose `X-Account-Token` names a connection of
 * the key's environment, and remembers that connection. Throws `unauthenticated` (401) otherwise.
 */
export function requireAccountToken(db: Kysely<Database>) {
  return async (request: FastifyRequest): Promise<void> => {
    const caller = callerOf(request);
    if (!caller) throw new SwitchyardError("internal", "The account token was checked before the API key.");
    const header = request.headers["x-account-token"];
    accounts.set(request, await linkedConnection(db, caller.environmentId, [header].flat()[0]));
  };
}
