/**
 * Seeded field values of each object's records: pure functions of the seed and the record's index, so the
 * same seed always gives the same org. References point at records that exist (owners are users, contacts
 * and opportunities belong to accounts).
 */
import { intBetween, pick, unit } from "../../../emulator/index.ts";
import { CHANNELS, INDUSTRIES, type ObjectName, STAGES, TIERS } from "./catalog.ts";
import { toSalesforceId } from "./ids.ts";

export type Fields = Record<string, string | number | boolean | null>;

export interface OrgSize {
  accounts: number;
  contacts: number;
  opportunities: number;
  users: number;
}

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Ken",
  "Margaret",
  "Linus",
  "Radia",
  "Dennis",
  "Frances",
  "Tim",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Thompson",
  "Hamilton",
  "Torvalds",
  "Perlman",
  "Ritchie",
  "Allen",
  "Berners-Lee",
];
const WORDS = [
  "Acme",
  "Globex",
  "Initech",
  "Umbrella",
  "Stark",
  "Wayne",
  "Tyrell",
  "Cyberdyne",
  "Soylent",
  "Hooli",
];
const SUFFIXES = ["Corp", "Inc", "Ltd", "Group", "Labs", "Systems"];
const TITLES = ["VP Sales", "CTO", "Buyer", "Engineer", "Office Manager", "CFO", "Head of Operations"];
const CITIES = [
  { city: "San Francisco", state: "CA", country: "USA", postal: "94105" },
  { city: "New York", state: "NY", country: "USA", postal: "10001" },
  { city: "Austin", state: "TX", country: "USA", postal: "73301" },
  { city: "London", state: null, country: "United Kingdom", postal: "EC1A 1BB" },
  { city: "Paris", state: null, country: "France", postal: "75002" },
] as const;

/** Record number n (1-based table id) of an object, as its Salesforce id. */
export const idOf = (keyPrefix: string, n: number) => toSalesforceId(keyPrefix, n);
/** The org's first user: the integration user that owns and modifies what the API writes. */
export const ADMIN_USER_ID = idOf("005", 1);

function address(prefix: string, seed: number, index: number, salt: number): Fields {
  const place = pick(CITIES, seed, index, salt);
  return {
    [`${prefix}Street`]: `${intBetween(1, 999, seed, index, salt + 1)} ${pick(WORDS, seed, index, salt + 2)} Street`,
    [`${prefix}City`]: place.city,
    [`${prefix}State`]: place.state,
    [`${prefix}PostalCode`]: place.postal,
    [`${prefix}Country`]: place.country,
  };
}

function person(seed: number, index: number, salt: number) {
  const first = pick(FIRST, seed, index, salt);
  const last = pick(LAST, seed, index, salt + 1);
  return { first, last, email: `${first}.${last}.${index}@example.com`.toLowerCase() };
}

/** The seeded fields of record `index` of `object`. */
export function generateFields(object: ObjectName, seed: number, index: number, size: OrgSize): Fields {
  const owner = () => idOf("005", 1 + intBetween(0, size.users - 1, seed, index, 90));
  const account = (salt: number) =>
    size.accounts === 0 || unit(seed, index, salt) < 0.1
      ? null
      : idOf("001", 1 + intBetween(0, size.accounts - 1, seed, index, salt + 1));
  switch (object) {
    case "User": {
      const { first, last } = person(seed, index, 10);
      const username =
        index === 0
          ? "integration@emulated.example"
          : `${first}.${last}.${index}@emulated.example`.toLowerCase();
      return {
        Username: username,
        FirstName: index === 0 ? "Integration" : first,
        LastName: index === 0 ? "User" : last,
        Email: username,
        IsActive: index === 0 || unit(seed, index, 11) > 0.15,
      };
    }
    case "Account": {
      const name = `${pick(WORDS, seed, index, 20)} ${pick(SUFFIXES, seed, index, 21)} ${index}`;
      return {
        Name: name,
        Industry: pick(INDUSTRIES, seed, index, 22),
        Website: `https://www.account${index}.example.com`,
        Phone: `+1 415 555 ${String(intBetween(0, 9999, seed, index, 23)).padStart(4, "0")}`,
        NumberOfEmployees: intBetween(5, 20_000, seed, index, 24),
        ...address("Billing", seed, index, 25),
        OwnerId: owner(),
        Customer_Tier__c: unit(seed, index, 29) < 0.3 ? null : pick(TIERS, seed, index, 30),
      };
    }
    case "Contact": {
      const { first, last, email } = person(seed, index, 40);
      return {
        FirstName: first,
        LastName: last,
        Email: email,
        Phone: `+1 212 555 ${String(intBetween(0, 9999, seed, index, 42)).padStart(4, "0")}`,
        Title: pick(TITLES, seed, index, 43),
        AccountId: account(44),
        ...address("Mailing", seed, index, 46),
        OwnerId: owner(),
        Preferred_Channel__c: unit(seed, index, 51) < 0.2 ? null : pick(CHANNELS, seed, index, 52),
      };
    }
    case "Opportunity": {
      const stage = pick(STAGES, seed, index, 60);
      const close = new Date(Date.UTC(2026, 0, 1) + intBetween(-200, 200, seed, index, 61) * 86_400_000);
      return {
        Name: `${pick(WORDS, seed, index, 62)} deal ${index}`,
        Amount: intBetween(10, 5000, seed, index, 63) * 100,
        StageName: stage,
        CloseDate: close.toISOString().slice(0, 10),
        Probability: probabilityOf(stage),
        AccountId: account(64),
        OwnerId: owner(),
        Renewal__c: unit(seed, index, 66) < 0.25,
      };
    }
    case "OpportunityStage": {
      // Salesforce's default stages; stages created later (by the change feed) are open ones.
      const name = STAGES[index] ?? `Stage ${index + 1}`;
      return {
        ...{ MasterLabel: name, ApiName: name, IsActive: true, SortOrder: index + 1 },
        ...{ IsClosed: name.startsWith("Closed"), IsWon: name === "Closed Won" },
        DefaultProbability: probabilityOf(name),
      };
    }
  }
}

/** Salesforce's default probability of a stage. */
export function probabilityOf(stage: string): number {
  const index = STAGES.indexOf(stage as (typeof STAGES)[number]);
  return [10, 10, 20, 75, 90, 100, 0][index] ?? 50;
}

/** The fields an update of the change feed writes (version counts the record's updates). */
export function updatedFields(object: ObjectName, seed: number, id: number, version: number): Fields {
  switch (object) {
    case "User":
      return { IsActive: version % 2 === 0 };
    case "Account":
      return {
        NumberOfEmployees: intBetween(5, 20_000, seed, id, version, 70),
        Website: `https://www.account${id}-v${version}.example.com`,
      };
    case "Contact":
      return {
        Title: `${pick(TITLES, seed, id, version, 71)} (v${version})`,
        Phone: `+1 646 555 ${String(intBetween(0, 9999, seed, id, version, 72)).padStart(4, "0")}`,
      };
    case "OpportunityStage":
      return { IsActive: version % 3 !== 0, DefaultProbability: intBetween(0, 100, seed, id, version, 75) };
    case "Opportunity": {
      const stage = pick(STAGES, seed, id, version, 73);
      return {
        StageName: stage,
        Probability: probabilityOf(stage),
        Amount: intBetween(10, 5000, seed, id, version, 74) * 100,
      };
    }
  }
}
