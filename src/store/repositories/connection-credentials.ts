import type { Kysely } from "kysely";
import { nowIso } from "../ids.ts";
import type { Database } from "../schema.ts";

/**
 * Replaces a connection's sealed credentials only if they are still `expected` (compare-and-set), so a
 * token refresh finishing late never overwrites credentials given meanwhile. Returns whether it did.
 */
export async function swapSealedCredentials(
  db: Kysely<Database>,
  id: string,
  expected: string,
  next: string,
): Promise<boolean> {
  const result = await db
    .updateTable("connections")
    .set({ credentials: next, updated_at: nowIso() })
    .where("id", "=", id)
    .where("credentials", "=", expected)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
