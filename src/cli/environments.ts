import type { Kysely } from "kysely";
import { ArgumentError } from "../core/index.ts";
import { type Database, findEnvironment, listEnvironments } from "../store/index.ts";

/** The environment named by `--environment`; an ArgumentError listing the known ones when there is none. */
export async function environmentNamed(db: Kysely<Database>, name: string) {
  const environment = await findEnvironment(db, name);
  if (environment) return environment;
  const names = (await listEnvironments(db)).map((env) => env.name);
  throw new ArgumentError(
    `There is no environment "${name}".`,
    `Use one of: ${names.join(", ") || "(none yet)"} (--environment); or create one with POST /v1/environments.`,
  );
}
