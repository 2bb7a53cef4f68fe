/**
 * Seeded record generation: a record's properties are a pure function of (seed, type, index, times),
 * so 200,000 contacts cost nothing until a page asks for them.
 */

import { hash32, intBetween, keyOf, pick, unit } from "../../../emulator/random.ts";
import { OBJECT_SPECS, type ObjectTypeName, type PropertySpec } from "./catalog.ts";

export type PropertyValues = Record<string, string | null>;

const DAY = 86_400_000;
/** Seeded creation times start here and stop a day before the emulator's clock. */
export const SEED_EPOCH = Date.UTC(2021, 0, 1);
/** Default start of the emulator's logical clock; every change after seeding happens later. */
export const DEFAULT_CLOCK_START = Date.UTC(2025, 0, 1);

/** Splits a compact word list; lists are data, kept on few lines. */
const words = (text: string, separator = " "): readonly string[] => text.split(separator);

export const FIRST_NAMES = words(
  "Ava Liam Noah Emma Mia Lucas Sofia Elias Hana Mateo Chloe Arjun Zara Felix Ines Omar Yuki Nora Leon Priya Jonas Amara Theo Lea Kofi Maya Ivan Aisha Hugo Elena",
);
export const LAST_NAMES = words(
  "Schmidt Garcia Okafor Tanaka Novak Rossi Dubois Kowalski Silva Nguyen Jensen Haddad Moreau Fischer Patel Costa Larsen Kim Weber Ortiz Brennan Mensah Horvat Sato Lindqvist Rahman Varga Keller Diaz Young",
);
const COMPANY_WORDS_A = words("Blue Bright North Quantum Silver Cedar Iron Nova Summit Harbor");
const COMPANY_WORDS_B = words("Peak Forge Labs Systems Works Logic Freight Health Retail Grid");
const COMPANY_SUFFIXES = words("Inc GmbH Ltd LLC Group SA");
/** City and country pairs. */
const PLACES = words(
  "Berlin/Germany|Lisbon/Portugal|Austin/United States|Toronto/Canada|Lyon/France|Osaka/Japan|Nairobi/Kenya|Melbourne/Australia|Krakow/Poland|Bogota/Colombia|Dublin/Ireland|Pune/India",
  "|",
).map((pair) => pair.split("/") as [string, string]);
const JOB_TITLES = words(
  "Head of Operations|Software Engineer|VP Sales|Marketing Manager|CFO|Account Executive|Data Analyst|Customer Success Lead|CTO|Procurement Officer",
  "|",
);
const FREE_MAIL_DOMAINS = words("example.com example.net example.org");

/** Stable numeric keys for each generated field, so adding a field never reshuffles the others. */
const F = {
  created: keyOf("created"),
  modified: keyOf("modified"),
  company: keyOf("company"),
  first: keyOf("first"),
  last: keyOf("last"),
  phone: keyOf("phone"),
  phoneNull: keyOf("phoneNull"),
  job: keyOf("job"),
  jobNull: keyOf("jobNull"),
  place: keyOf("place"),
  stage: keyOf("stage"),
  lead: keyOf("lead"),
  leadNull: keyOf("leadNull"),
  score: keyOf("score"),
  optout: keyOf("optout"),
  wordA: keyOf("wordA"),
  wordB: keyOf("wordB"),
  suffix: keyOf("suffix"),
  industry: keyOf("industry"),
  employees: keyOf("employees"),
  employeesNull: keyOf("employeesNull"),
  revenue: keyOf("revenue"),
  revenueNull: keyOf("revenueNull"),
  description: keyOf("description"),
  descriptionNull: keyOf("descriptionNull"),
  public: keyOf("public"),
  amount: keyOf("amount"),
  amountNull: keyOf("amountNull"),
  dealstage: keyOf("dealstage"),
  closeIn: keyOf("closeIn"),
  dealtype: keyOf("dealtype"),
  priority: keyOf("priority"),
} as const;

/** The enumeration options of a declared property, read once from the catalog. */
function optionsOf(type: ObjectTypeName, name: string): readonly string[] {
  const options = OBJECT_SPECS[type].properties.find((property) => property.name === name)?.options;
  if (!options) throw new Error(`No options declared for ${type}.${name}`);
  return options;
}

const OPT = {
  contacts_lifecyclestage: optionsOf("contacts", "lifecyclestage"),
  contacts_hs_lead_status: optionsOf("contacts", "hs_lead_status"),
  companies_industry: optionsOf("companies", "industry"),
  companies_lifecyclestage: optionsOf("companies", "lifecyclestage"),
  deals_dealstage: optionsOf("deals", "dealstage"),
  deals_dealtype: optionsOf("deals", "dealtype"),
  deals_hs_priority: optionsOf("deals", "hs_priority"),
} as const;

const typeKey = (type: ObjectTypeName) => keyOf(type);
const iso = (ms: number) => new Date(ms).toISOString();

/** Seeded creation and last-modified times of record `index` out of `count`: all before `clockStart`. */
export function seededTimes(
  seed: number,
  type: ObjectTypeName,
  index: number,
  count: number,
  clockStart: number,
): { createdAt: number; updatedAt: number } {
  const spec = OBJECT_SPECS[type];
  const span = clockStart - DAY - SEED_EPOCH;
  const step = Math.max(1, Math.min(spec.createdEveryMs, Math.floor(span / Math.max(count, 1))));
  const t = typeKey(type);
  const createdAt = SEED_EPOCH + index * step + Math.floor(unit(seed, t, index, F.created) * step);
  const room = Math.min(clockStart - DAY - createdAt, 240 * DAY);
  const fraction = unit(seed, t, index, F.modified);
  const updatedAt = createdAt + Math.floor(fraction * fraction * Math.max(room, 0));
  return { createdAt, updatedAt };
}

/** The company (by index) a seeded contact or deal is associated with, or -1 for none. */
export function seededCompanyIndex(
  seed: number,
  type: ObjectTypeName,
  index: number,
  companyCount: number,
): number {
  if (type === "companies" || companyCount === 0) return -1;
  const t = typeKey(type);
  // One contact in ten has no company; every deal has one.
  if (type === "contacts" && unit(seed, t, index, F.company, 1) < 0.1) return -1;
  return hash32(seed, t, index, F.company) % companyCount;
}

/** A seeded company's name, used by the company record and by its contacts' `company` field. */
export function companyName(seed: number, companyIndex: number): string {
  const t = typeKey("companies");
  return `${pick(COMPANY_WORDS_A, seed, t, companyIndex, F.wordA)} ${pick(COMPANY_WORDS_B, seed, t, companyIndex, F.wordB)} ${pick(COMPANY_SUFFIXES, seed, t, companyIndex, F.suffix)}`;
}

/** A seeded company's web domain. */
export function companyDomain(seed: number, companyIndex: number): string {
  const t = typeKey("companies");
  const a = pick(COMPANY_WORDS_A, seed, t, companyIndex, F.wordA).toLowerCase();
  const b = pick(COMPANY_WORDS_B, seed, t, companyIndex, F.wordB).toLowerCase();
  return `${a}${b}.com`;
}

const phone = (seed: number, t: number, index: number, field: number) =>
  `+1 555 ${intBetween(100, 999, seed, t, index, field, 1)} ${intBetween(1000, 9999, seed, t, index, field, 2)}`;

/** Null with the given probability (drawn from its own field key), else the value. */
const maybe = (
  probabilityNull: number,
  seed: number,
  t: number,
  index: number,
  field: number,
  value: () => string,
): string | null => (unit(seed, t, index, field) < probabilityNull ? null : value());

/** Everything needed to generate one record's properties. */
export interface GenerationInput {
  seed: number;
  type: ObjectTypeName;
  index: number;
  id: string;
  createdAt: number;
  updatedAt: number;
  companyIndex: number;
}

/** All declared properties of one seeded record, as HubSpot strings (null when the record has no value). */
export function generateProperties(input: GenerationInput): PropertyValues {
  const { seed, type, index, id, createdAt, updatedAt, companyIndex } = input;
  const t = typeKey(type);
  // Plain literals with fixed keys (no spread, no computed keys) keep V8 on its fast object paths.
  const createdate = iso(createdAt);
  const modified = iso(updatedAt);
  const place = pick(PLACES, seed, t, index, F.place);
  const city = place[0];
  const country = place[1];
  if (type === "contacts") {
    const first = pick(FIRST_NAMES, seed, t, index, F.first);
    const last = pick(LAST_NAMES, seed, t, index, F.last);
    const domain =
      companyIndex >= 0
        ? companyDomain(seed, companyIndex)
        : pick(FREE_MAIL_DOMAINS, seed, t, index, F.company);
    return {
      createdate,
      lastmodifieddate: modified,
      hs_object_id: id,
      email: contactEmail(first, last, index, domain),
      firstname: first,
      lastname: last,
      phone: maybe(0.2, seed, t, index, F.phoneNull, () => phone(seed, t, index, F.phone)),
      company: companyIndex >= 0 ? companyName(seed, companyIndex) : null,
      jobtitle: maybe(0.15, seed, t, index, F.jobNull, () => pick(JOB_TITLES, seed, t, index, F.job)),
      website: companyIndex >= 0 ? `https://www.${domain}` : null,
      city,
      country,
      lifecyclestage: pick(OPT.contacts_lifecyclestage, seed, t, index, F.stage),
      hs_lead_status: maybe(0.3, seed, t, index, F.leadNull, () =>
        pick(OPT.contacts_hs_lead_status, seed, t, index, F.lead),
      ),
      hubspotscore: String(intBetween(0, 100, seed, t, index, F.score)),
      hs_email_optout: unit(seed, t, index, F.optout) < 0.05 ? "true" : "false",
    };
  }
  if (type === "companies") {
    return {
      createdate,
      hs_lastmodifieddate: modified,
      hs_object_id: id,
      name: companyName(seed, index),
      domain: companyDomain(seed, index),
      industry: pick(OPT.companies_industry, seed, t, index, F.industry),
      phone: phone(seed, t, index, F.phone),
      city,
      country,
      numberofemployees: maybe(0.1, seed, t, index, F.employeesNull, () =>
        String(intBetween(1, 5000, seed, t, index, F.employees)),
      ),
      annualrevenue: maybe(0.25, seed, t, index, F.revenueNull, () =>
        String(intBetween(10, 50_000, seed, t, index, F.revenue) * 1000),
      ),
      lifecyclestage: pick(OPT.companies_lifecyclestage, seed, t, index, F.stage),
      description: maybe(
        0.5,
        seed,
        t,
        index,
        F.descriptionNull,
        () => `${city}-based ${companyName(seed, index)}.`,
      ),
      is_public: unit(seed, t, index, F.public) < 0.2 ? "true" : "false",
    };
  }
  const dealstage = pick(OPT.deals_dealstage, seed, t, index, F.dealstage);
  return {
    createdate,
    hs_lastmodifieddate: modified,
    hs_object_id: id,
    dealname: `${companyIndex >= 0 ? companyName(seed, companyIndex) : "Direct"} - ${pick(["Renewal", "Expansion", "Pilot", "New licence"], seed, t, index, F.dealtype)}`,
    amount: maybe(0.05, seed, t, index, F.amountNull, () => dealAmount(seed, t, index, 0)),
    dealstage,
    pipeline: "default",
    closedate: iso(createdAt + intBetween(7, 120, seed, t, index, F.closeIn) * DAY),
    dealtype: pick(OPT.deals_dealtype, seed, t, index, F.dealtype),
    hs_priority: pick(OPT.deals_hs_priority, seed, t, index, F.priority),
    description: maybe(0.5, seed, t, index, F.descriptionNull, () => `Deal #${index} for ${city}.`),
    hs_is_closed: String(dealstage === "closedwon" || dealstage === "closedlost"),
  };
}

/** Seeded contact emails embed the record index, so they are unique and their owner is recoverable. */
export function contactEmail(first: string, last: string, index: number, domain: string): string {
  return `${first}.${last}${index}@${domain}`.toLowerCase();
}

/** The seeded index encoded in a generated contact email, if the address has that shape. */
export function indexInContactEmail(email: string): number | undefined {
  const match = /^[a-z]+\.[a-z]+(\d+)@/.exec(email.toLowerCase());
  return match ? Number(match[1]) : undefined;
}

function dealAmount(seed: number, t: number, index: number, version: number): string {
  const cents = intBetween(500, 250_000, seed, t, index, F.amount, version) * 100;
  // A third of amounts carry cents, as real pipelines do.
  const extra = unit(seed, t, index, F.amount, version, 7) < 0.33 ? 50 : 0;
  return String((cents + extra) / 100);
}

/**
 * The property values an update with this version sets: a few business fields per type, plus a value
 * for every property added at runtime. Pure in (seed, type, id, version, at).
 */
export function updatedProperties(
  seed: number,
  type: ObjectTypeName,
  id: number,
  version: number,
  at: number,
  addedProperties: readonly PropertySpec[],
): PropertyValues {
  const t = typeKey(type);
  const values: PropertyValues = {};
  if (type === "contacts") {
    values.lifecyclestage = pick(OPT.contacts_lifecyclestage, seed, t, id, version, F.stage);
    values.hs_lead_status = pick(OPT.contacts_hs_lead_status, seed, t, id, version, F.lead);
    values.jobtitle = pick(JOB_TITLES, seed, t, id, version, F.job);
    values.hubspotscore = String(intBetween(0, 100, seed, t, id, version, F.score));
  } else if (type === "companies") {
    values.numberofemployees = String(intBetween(1, 5000, seed, t, id, version, F.employees));
    values.annualrevenue = String(intBetween(10, 50_000, seed, t, id, version, F.revenue) * 1000);
    values.lifecyclestage = pick(OPT.companies_lifecyclestage, seed, t, id, version, F.stage);
  } else {
    const dealstage = pick(OPT.deals_dealstage, seed, t, id, version, F.dealstage);
    values.dealstage = dealstage;
    values.hs_is_closed = String(dealstage === "closedwon" || dealstage === "closedlost");
    values.amount = dealAmount(seed, t, id, version);
    values.hs_priority = pick(OPT.deals_hs_priority, seed, t, id, version, F.priority);
  }
  for (const property of addedProperties)
    values[property.name] = sampleValue(property, seed, at, t, id, version);
  return values;
}

/** A plausible value of any property type, used for properties added at runtime. */
export function sampleValue(
  property: PropertySpec,
  seed: number,
  at: number,
  t: number,
  id: number,
  version: number,
): string {
  const name = keyOf(property.name);
  switch (property.type) {
    case "number":
      return String(intBetween(0, 10_000, seed, t, id, version, name));
    case "bool":
      return unit(seed, t, id, version, name) < 0.5 ? "true" : "false";
    case "enumeration":
      return property.options && property.options.length > 0
        ? pick(property.options, seed, t, id, version, name)
        : "other";
    case "datetime":
      return iso(at);
    case "date":
      return iso(at).slice(0, 10);
    default:
      return `${property.name}-${hash32(seed, t, id, version, name).toString(36)}`;
  }
}
