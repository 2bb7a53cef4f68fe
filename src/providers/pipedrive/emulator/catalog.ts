/**
 * What the emulated Pipedrive company holds, per entity: its field definitions as `/v1/<entity>Fields`
 * lists them (built-in fields, then custom fields with 40-character hash keys) and how a seeded record of
 * it is generated from (seed, index), with values shaped as API v2 returns them.
 */
import { createHash } from "node:crypto";
import { intBetween, pick, unit } from "../../../emulator/index.ts";

export const ENTITIES = ["persons", "organizations", "deals", "activities"] as const;
export type Entity = (typeof ENTITIES)[number];

/** A field definition as `/v1/personFields` returns it; `edit_flag` is true for custom fields. */
type Option = { id: number; label: string };
export type FieldDefinition = { id: number; key: string; name: string; field_type: string } & {
  edit_flag: boolean;
  options?: Option[];
};

/** A record's values, as v2 returns them (id, times and `is_deleted` are added when it is served). */
export type Values = Record<string, unknown> & { custom_fields?: Record<string, unknown> };

/** A custom field's key: 40 hex characters, like Pipedrive's, stable for its entity and name. */
export function customKey(entity: Entity, name: string): string {
  return createHash("sha1").update(`${entity}:${name}`).digest("hex");
}

/** Field definitions as `key|Name|field_type; …`; custom ones (keyed by hash) as `Name|field_type|options`. */
const BUILT_IN: Record<Entity, string> = {
  persons: `id|ID|int; name|Name|varchar; owner_id|Owner|user; org_id|Organization|org; email|Email|varchar;
    add_time|Person created|date; update_time|Update time|date; phone|Phone|phone; visible_to|Visible to|visible_to`,
  organizations: `id|ID|int; name|Name|varchar; owner_id|Owner|user; add_time|Organization created|date;
    update_time|Update time|date; address|Address|address; visible_to|Visible to|visible_to`,
  deals: `id|ID|int; title|Title|varchar; value|Value|monetary; currency|Currency|varchar_options; owner_id|Owner|user;
    person_id|Contact person|people; org_id|Organization|org; stage_id|Stage|stage; status|Status|status;
    add_time|Deal created|date; update_time|Update time|date; expected_close_date|Expected close date|date`,
  activities: `id|ID|int; subject|Subject|varchar; type|Type|varchar; owner_id|Assigned to user|user; deal_id|Deal|int;
    person_id|Contact person|people; org_id|Organization|org; due_date|Due date|date; done|Done|boolean;
    add_time|Add time|date; update_time|Update time|date`,
};

/** The company's custom fields (activities have none: Pipedrive offers no custom activity fields). */
const CUSTOM: Record<Entity, string> = {
  persons: "Preferred channel|enum|Email,Phone,Chat; Lifetime value|double; First contact|date",
  organizations: "Employees|int; Industry|varchar",
  deals: "Contract value|monetary; Competitors|set|Acme,Globex,Initech; Lead source|enum|Web,Referral,Event",
  activities: "",
};

/** `a|b|c; d|e` → [["a", "b", "c"], ["d", "e"]] (every spec has at least a key and a type). */
const specs = (list: string) =>
  list
    .split(/;\s*/)
    .filter(Boolean)
    .map((spec) => spec.split("|") as [string, string, ...string[]]);

/** Every field definition of an entity, built-in first; custom fields get their hash keys. */
export function fieldDefinitions(entity: Entity): FieldDefinition[] {
  const builtIn = specs(BUILT_IN[entity]).map(
    ([key, name, type], i): FieldDefinition => ({
      id: i + 1,
      key,
      name,
      field_type: type!,
      edit_flag: false,
    }),
  );
  const custom = specs(CUSTOM[entity]).map(([name, type, labels], i): FieldDefinition => {
    const options = labels?.split(",").map((label, k) => ({ id: k + 1, label }));
    const key = customKey(entity, name);
    return { id: 1000 + i, key, name, field_type: type, edit_flag: true, ...(options ? { options } : {}) };
  });
  return [...builtIn, ...custom];
}

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Donald"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Perlman", "Knuth"];
const COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell"];
const PLACES = "Tallinn,Estonia,10111;Berlin,Germany,10115;Austin,United States,73301".split(";");
/** The default pipeline's stages (ids 1…5 of pipeline 1), which seeded deals are in. */
export const STAGES = "Qualified|Contact Made|Demo Scheduled|Proposal Made|Negotiations Started".split("|");
const DAY = 86_400_000;

/** Counts a company's entities point at (owners are users 1…users, organizations 1…orgs, …). */
export type Population = Record<"users" | "organizations" | "persons" | "deals", number>;

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The v2 values of seeded record `index` of an entity (pure: the same seed gives the same record). */
export function generateValues(
  entity: Entity,
  seed: number,
  index: number,
  createdAt: number,
  counts: Population,
) {
  const key = ENTITIES.indexOf(entity) + 1;
  const num = (min: number, max: number, salt: number) => intBetween(min, max, seed, key, index, salt);
  const one = <T>(list: readonly T[], salt: number) => pick(list, seed, key, index, salt);
  const custom = (values: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(values).map(([name, value]) => [customKey(entity, name), value]));
  const common = { owner_id: num(1, counts.users, 1), visible_to: 3, label_ids: [] };
  switch (entity) {
    case "persons": {
      const [first, last] = [one(FIRST, 2), one(LAST, 3)];
      return {
        ...common,
        ...{ name: `${first} ${last}`, first_name: first, last_name: last },
        org_id: unit(seed, key, index, 4) < 0.8 ? num(1, counts.organizations, 5) : null,
        emails: [{ value: `person${index}@example.test`, primary: true, label: "work" }],
        phones: [{ value: `+1555${String(index).padStart(7, "0")}`, primary: true, label: "mobile" }],
        custom_fields: custom({
          "Preferred channel": num(1, 3, 6),
          "Lifetime value": Math.round(unit(seed, key, index, 7) * 100_000) / 100,
          "First contact": isoDate(createdAt),
        }),
      } as Values;
    }
    case "organizations": {
      // v2's address object (a subset of its parts); some organizations have none.
      const [locality, country, postal_code] = one(PLACES, 5).split(",");
      const [street_number, route] = [String(num(1, 99, 6)), "Main Street"];
      const at = { value: `${route} ${street_number}`, street_number, route, locality, country, postal_code };
      const address = unit(seed, key, index, 8) < 0.7 ? at : null;
      return {
        ...{ ...common, name: `${one(COMPANIES, 2)} ${index}`, address },
        custom_fields: custom({
          Employees: num(1, 5000, 3),
          Industry: one(["Software", "Retail", "Energy"], 4),
        }),
      } as Values;
    }
    case "deals":
      return {
        ...{ ...common, title: `Deal ${index}`, value: num(100, 50_000, 2), currency: "EUR", pipeline_id: 1 },
        ...{
          person_id: num(1, counts.persons, 3),
          org_id: num(1, counts.organizations, 4),
          stage_id: num(1, STAGES.length, 5),
        },
        status: one(["open", "open", "won", "lost"], 6),
        expected_close_date: isoDate(createdAt + 30 * DAY),
        custom_fields: custom({
          "Contract value": { value: num(100, 9_000, 7), currency: "EUR" },
          Competitors: [num(1, 3, 8)],
          "Lead source": num(1, 3, 9),
        }),
      } as Values;
    case "activities":
      return {
        ...{
          subject: `Call ${index}`,
          type: one(["call", "meeting", "email"], 2),
          owner_id: common.owner_id,
        },
        ...{ deal_id: num(1, counts.deals, 3), person_id: num(1, counts.persons, 4), org_id: null },
        ...{ due_date: isoDate(createdAt + 7 * DAY), done: unit(seed, key, index, 5) < 0.5 },
      } as Values;
  }
}

/** The values an update writes (the `version`-th update of a record). */
export function updatedValues(entity: Entity, id: number, version: number): Values {
  const mark = `${id}.${version}`;
  if (entity === "persons") return { name: `Renamed ${mark}` };
  if (entity === "organizations") return { name: `Renamed Org ${mark}` };
  if (entity === "deals") return { title: `Deal ${mark}`, value: 1000 + version };
  return { subject: `Call ${mark}`, done: version % 2 === 1 };
}
