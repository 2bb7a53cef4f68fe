/**
 * The account's owners (its HubSpot users): the kit's seeded table, so the same seed and count give the same
 * owners, and changes over time (new users, renames, deactivations) come from the kit too. Read-only through
 * the API, as HubSpot's owners API is. One in five seeded owners is a deactivated user, which HubSpot lists
 * only with `archived=true` and without a `userId`.
 */
import { intBetween, keyOf, pick, unit } from "../../../emulator/random.ts";
import { SeededTable, type TableRecord } from "../../../emulator/table.ts";
import { FIRST_NAMES, LAST_NAMES } from "./generate.ts";

export const DEFAULT_OWNER_COUNT = 8;
/** First owner id and user id; HubSpot's are opaque numbers of this size. */
const OWNER_ID_BASE = 41_000_001;
const USER_ID_BASE = 9_500_001;
const DAY = 86_400_000;

const TEAMS = [
  { id: "5001", name: "Sales" },
  { id: "5002", name: "Customer Success" },
] as const;

/** An owner as `GET /crm/v3/owners` returns it (`userId` is absent for deactivated users, as in HubSpot). */
export type PublicOwner = ReturnType<typeof toPublicOwner>;

export interface OwnerFields {
  firstName: string;
  lastName: string;
  email: string;
}

const name = (list: readonly string[], seed: number, index: number, salt: number) =>
  pick(list, seed, keyOf("owner"), index, salt);

/** `count` owners for this seed; the first is always active, so every account has someone to assign. */
export function ownerTable(seed: number, count: number, clockStart: number): SeededTable<OwnerFields> {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`owners must be a whole number of owners (0 or more), but was ${count}.`);
  }
  const seededTimes = (index: number) => {
    const createdAt = clockStart - intBetween(200, 1500, seed, keyOf("owner"), index, 4) * DAY;
    return { createdAt, updatedAt: createdAt + intBetween(0, 150, seed, keyOf("owner"), index, 5) * DAY };
  };
  const table = new SeededTable<OwnerFields>({
    idBase: OWNER_ID_BASE,
    seededCount: count,
    seededTimes,
    generate: (index) => {
      const [firstName, lastName] = [name(FIRST_NAMES, seed, index, 1), name(LAST_NAMES, seed, index, 2)];
      return {
        firstName,
        lastName,
        email: `${firstName}.${lastName}${index}@owners.example.com`.toLowerCase(),
      };
    },
  });
  for (let index = 1; index < count; index++) {
    if (unit(seed, keyOf("owner"), index, 3) < 0.2)
      table.archive(OWNER_ID_BASE + index, seededTimes(index).updatedAt);
  }
  return table;
}

/** What a change writes: the owner's last name (a marriage, a typo fixed), seeded by its version. */
export const updatedOwnerFields = (seed: number, id: number, version: number): Partial<OwnerFields> => ({
  lastName: pick(LAST_NAMES, seed, keyOf("owner-update"), id, version),
});

/** An owner as the API returns it. */
export function toPublicOwner({ id, fields, createdAt, updatedAt, archivedAt }: TableRecord<OwnerFields>) {
  const index = id - OWNER_ID_BASE;
  const userId = USER_ID_BASE + index;
  return {
    id: String(id),
    email: fields.email,
    type: "PERSON" as const,
    firstName: fields.firstName,
    lastName: fields.lastName,
    ...(archivedAt === undefined ? { userId } : ({} as { userId?: number })),
    userIdIncludingInactive: userId,
    createdAt: new Date(createdAt).toISOString(),
    updatedAt: new Date(updatedAt).toISOString(),
    archived: archivedAt !== undefined,
    teams: [{ ...TEAMS[index % TEAMS.length]!, primary: true }],
  };
}
