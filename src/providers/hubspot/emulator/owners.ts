/**
 * The account's owners (its HubSpot users), seeded from the emulator's seed: the same seed and count
 * give the same owners. Read-only, as HubSpot's owners API is. One in five is a deactivated user, which
 * HubSpot lists only with `archived=true` and without a `userId`.
 */

import { intBetween, keyOf, pick, unit } from "../../../emulator/random.ts";
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

/** An owner as `GET /crm/v3/owners` returns it. */
export interface PublicOwner {
  id: string;
  email: string;
  type: "PERSON";
  firstName: string;
  lastName: string;
  /** Absent for deactivated users, as in HubSpot. */
  userId?: number;
  userIdIncludingInactive: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  teams: { id: string; name: string; primary: boolean }[];
}

/** `count` owners for this seed; the first is always active, so every account has someone to assign. */
export function seededOwners(seed: number, count: number, clockStart: number): PublicOwner[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`owners must be a whole number of owners (0 or more), but was ${count}.`);
  }
  return Array.from({ length: count }, (_, index) => {
    const firstName = pick(FIRST_NAMES, seed, keyOf("owner"), index, 1);
    const lastName = pick(LAST_NAMES, seed, keyOf("owner"), index, 2);
    const archived = index > 0 && unit(seed, keyOf("owner"), index, 3) < 0.2;
    const createdAt = clockStart - intBetween(200, 1500, seed, keyOf("owner"), index, 4) * DAY;
    const updatedAt = createdAt + intBetween(0, 150, seed, keyOf("owner"), index, 5) * DAY;
    const team = TEAMS[index % TEAMS.length]!;
    const userId = USER_ID_BASE + index;
    return {
      id: String(OWNER_ID_BASE + index),
      email: `${firstName}.${lastName}${index}@owners.example.com`.toLowerCase(),
      type: "PERSON",
      firstName,
      lastName,
      ...(archived ? {} : { userId }),
      userIdIncludingInactive: userId,
      createdAt: new Date(createdAt).toISOString(),
      updatedAt: new Date(updatedAt).toISOString(),
      archived,
      teams: [{ ...team, primary: true }],
    };
  });
}
