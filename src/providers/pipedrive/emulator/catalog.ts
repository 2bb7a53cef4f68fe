/**
 * What the emulated Pipedrive company holds, per entity: its field definitions as `/v1/<entity>Fields`
 * lists them (built-in fields, then custom fields with 40-character hash keys) and how a seeded record of
 * it is generated from (seed, index), with values shaped as API v2 returns them.
 */
import { createHash } from "node:crypto";
import { intBetween, pick, unit } from "../../../emulator/index.ts";

export const ENTITIES = ["persons", "organizations", "deals", "activities"] as const;
export type Entity = (typeof ENTITIES)[number];

/** A field definition as `/v1/personFields` returns it (the parts clients read). */
export interface FieldDefinition {
  id: number;
  key: string;
  name: string;
  field_type: string;
  /** True for custom fields (the company added them); false for Pipedrive's own. */
  edit_flag: boolean;
  options?: { id: number; label: string }[];
}

/** A record's values, as v2 returns them (id, times and `is_deleted` are added when it is served). */
export type Values = Record<string, unknown> & { custom_fields?: Record<string, unknown> };

/** A custom field's key: 40 hex characters, like Pipedrive's, stable for its entity and name. */
export function customKey(entity: Entity, name: string): string {
  return createHash("sha1").update(`${entity}:${name}`).digest("hex");
}

const options = (...labels: string[]) => labels.map((label, i) => ({ id: i + 1, label }));

type FieldSpec = [key: string, name: string, type: string, choices?: { id: number; label: string }[]];

const BUILT_IN: Record<Entity, FieldSpec[]> = {
  persons: [
    ["id", "ID", "int"],
    ["name", "Name", "varchar"],
    ["owner_id", "Owner", "user"],
    ["org_id", "Organization", "org"],
    ["add_time", "Person created", "date"],
    ["update_time", "Update time", "date"],
    ["email", "Email", "varchar"],
    ["phone", "Phone", "phone"],
    ["visible_to", "Visible to", "visible_to"],
  ],
  organizations: [
    ["id", "ID", "int"],
    ["name", "Name", "varchar"],
    ["owner_id", "Owner", "user"],
    ["add_time", "Organization created", "date"],
    ["update_time", "Update time", "date"],
    ["address", "Address", "address"],
    ["visible_to", "Visible to", "visible_to"],
  ],
  deals: [
    ["id", "ID", "int"],
    ["title", "Title", "varchar"],
    ["value", "Value", "monetary"],
    ["currency", "Currency", "varchar_options"],
    ["owner_id", "Owner", "user"],
    ["person_id", "Contact person", "people"],
    ["org_id", "Organization", "org"],
    ["stage_id", "Stage", "stage"],
    ["status", "Status", "status"],
    ["add_time", "Deal created", "date"],
    ["update_time", "Update time", "date"],
    ["expected_close_date", "Expected close date", "date"],
  ],
  activities: [
    ["id", "ID", "int"],
    ["subject", "Subject", "varchar"],
    ["type", "Type", "varchar"],
    ["owner_id", "Assigned to user", "user"],
    ["deal_id", "Deal", "int"],
    ["person_id", "Contact person", "people"],
    ["org_id", "Organization", "org"],
    ["due_date", "Due date", "date"],
    ["done", "Done", "boolean"],
    ["add_time", "Add time", "date"],
    ["update_time", "Update time", "date"],
  ],
};

/** The company's custom fields (activities have none: Pipedrive offers no custom activity fields). */
const CUSTOM: Record<Entity, FieldSpec[]> = {
  persons: [
    ["", "Preferred channel", "enum", options("Email", "Phone", "Chat")],
    ["", "Lifetime value", "double"],
    ["", "First contact", "date"],
  ],
  organizations: [
    ["", "Employees", "int"],
    ["", "Industry", "varchar"],
  ],
  deals: [
    ["", "Contract value", "monetary"],
    ["", "Competitors", "set", options("Acme", "Globex", "Initech")],
    ["", "Lead source", "enum", options("Web", "Referral", "Event")],
  ],
  activities: [],
};

/** Every field definition of an entity, built-in first; custom fields get their hash keys. */
export function fieldDefinitions(entity: Entity): FieldDefinition[] {
  const builtIn = BUILT_IN[entity].map(([key, name, type, choices], i) =>
    field(i + 1, key, name, type, false, choices),
  );
  const custom = CUSTOM[entity].map(([, name, type, choices], i) =>
    field(1000 + i, customKey(entity, name), name, type, true, choices),
  );
  return [...builtIn, ...custom];
}

function field(
  id: number,
  key: string,
  name: string,
  field_type: string,
  edit_flag: boolean,
  choices?: { id: number; label: string }[],
): FieldDefinition {
  return { id, key, name, field_type, edit_flag, ...(choices ? { options: choices } : {}) };
}

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Donald"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Perlman", "Knuth"];
const COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell"];
const DAY = 86_400_000;

/** Counts a company's entities point at (owners are users 1…users, organizations 1…orgs, …). */
export interface Population {
  users: number;
  organizations: number;
  persons: number;
  deals: number;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The v2 values of seeded record `index` of an entity (pure: the same seed gives the same record). */
export function generateValues(
  entity: Entity,
  seed: number,
  index: number,
  createdAt: number,
  population: Population,
): Values {
  const key = ENTITIES.indexOf(entity) + 1;
  const owner = intBetween(1, population.users, seed, key, index, 1);
  const custom = (name: string) => customKey(entity, name);
  switch (entity) {
    case "persons": {
      const first = pick(FIRST, seed, key, index, 2);
      const last = pick(LAST, seed, key, index, 3);
      return {
        name: `${first} ${last}`,
        first_name: first,
        last_name: last,
        owner_id: owner,
        org_id:
          unit(seed, key, index, 4) < 0.8
            ? intBetween(1, population.organizations, seed, key, index, 5)
            : null,
        emails: [{ value: `person${index}@example.test`, primary: true, label: "work" }],
        phones: [{ value: `+1555${String(index).padStart(7, "0")}`, primary: true, label: "mobile" }],
        visible_to: 3,
        label_ids: [],
        custom_fields: {
          [custom("Preferred channel")]: intBetween(1, 3, seed, key, index, 6),
          [custom("Lifetime value")]: Math.round(unit(seed, key, index, 7) * 100_000) / 100,
          [custom("First contact")]: isoDate(createdAt),
        },
      };
    }
    case "organizations":
      return {
        name: `${pick(COMPANIES, seed, key, index, 2)} ${index}`,
        owner_id: owner,
        address: null,
        visible_to: 3,
        label_ids: [],
        custom_fields: {
          [custom("Employees")]: intBetween(1, 5000, seed, key, index, 3),
          [custom("Industry")]: pick(["Software", "Retail", "Energy"], seed, key, index, 4),
        },
      };
    case "deals":
      return {
        title: `Deal ${index}`,
        value: intBetween(100, 50_000, seed, key, index, 2),
        currency: "EUR",
        owner_id: owner,
        person_id: intBetween(1, population.persons, seed, key, index, 3),
        org_id: intBetween(1, population.organizations, seed, key, index, 4),
        stage_id: intBetween(1, 5, seed, key, index, 5),
        pipeline_id: 1,
        status: pick(["open", "open", "won", "lost"], seed, key, index, 6),
        expected_close_date: isoDate(createdAt + 30 * DAY),
        visible_to: 3,
        label_ids: [],
        custom_fields: {
          [custom("Contract value")]: { value: intBetween(100, 9_000, seed, key, index, 7), currency: "EUR" },
          [custom("Competitors")]: [intBetween(1, 3, seed, key, index, 8)],
          [custom("Lead source")]: intBetween(1, 3, seed, key, index, 9),
        },
      };
    case "activities":
      return {
        subject: `Call ${index}`,
        type: pick(["call", "meeting", "email"], seed, key, index, 2),
        owner_id: owner,
        deal_id: intBetween(1, population.deals, seed, key, index, 3),
        person_id: intBetween(1, population.persons, seed, key, index, 4),
        org_id: null,
        due_date: isoDate(createdAt + 7 * DAY),
        done: unit(seed, key, index, 5) < 0.5,
      };
  }
}

/** The values an update writes (the `version`-th update of a record). */
export function updatedValues(entity: Entity, id: number, version: number): Values {
  const mark = `${id}.${version}`;
  switch (entity) {
    case "persons":
      return { name: `Renamed ${mark}` };
    case "organizations":
      return { name: `Renamed Org ${mark}` };
    case "deals":
      return { title: `Deal ${mark}`, value: 1000 + version };
    case "activities":
      return { subject: `Call ${mark}`, done: version % 2 === 1 };
  }
}
