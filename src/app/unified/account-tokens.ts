/**
 * Account tokens: the secret that names one linked account (connection) in Merge's `X-Account-Token`
 * header. Shown once when issued; the store keeps only its sha256. A token works only together with an API
 * key of the connection's environment.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { SwitchyardError } from "../../core/index.ts";
import type { ConnectionRow, Database } from "../../store/index.ts";
import {
  findConnectionByAccountTokenHash,
  setAccountTokenHash,
} from "../../store/repositories/linked-accounts.ts";

/** sha256 of a token, hex. Tokens carry 256 random bits, so a fast hash is enough. */
export function hashAccountToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Gives the connection a new account token (the old one stops working) and returns it: the only copy. */
export async function issueAccountToken(db: Kysely<Database>, connectionId: string): Promise<string> {
  const token = `sy_acct_${randomBytes(32).toString("base64url")}`;
  await setAccountTokenHash(db, connectionId, hashAccountToken(token));
  return token;
}

/**
 * The connection an account token names, within the caller's environment. A missing header, an unknown
 * token, or the token of another environment's connection are all `unauthenticated` (401, as Merge answers), told apart in the message
 * only by what the caller can fix.
 */
export async function linkedConnection(
  db: Kysely<Database>,
  environmentId: string,
  token: string | undefined,
): Promise<ConnectionRow> {
  if (token === undefined || token.trim() === "") {
    throw new SwitchyardError("unauthenticated", "This endpoint needs an account token and none was sent.", {
      hint: "Send `X-Account-Token: <account token>`: the token shown when the connection was created, or a new one from `POST /v1/connections/{id}/account-token`.",
    });
  }
  const connection = await findConnectionByAccountTokenHash(
    db,
    environmentId,
    hashAccountToken(token.trim()),
  );
  if (!connection) {
    throw new SwitchyardError(
      "unauthenticated",
      "The account token is not valid for this API key's environment.",
      {
        hint: "Use the account token of a connection in the same environment as the API key; a rotated token stops working.",
      },
    );
  }
  return connection;
}
