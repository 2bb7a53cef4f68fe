/**
 * The writer registry: per provider and writable Common Model (Contact, Account, Opportunity), the writer that
 * turns Merge's write request (`model` of a POST or PATCH) into one of the provider's typed actions, and the
 * action's answer back into the raw record the records cache holds (so the read mappers show it at once).
 * A provider ships its writers in `src/providers/<name>/unified/writes.ts` and lists them in
 * `src/providers/unified-writers.ts`; the unified API finds them here and knows no provider.
 */
import { type HttpClient, SwitchyardError } from "../core/index.ts";
import type { CrmModelName } from "./mappers.ts";

export type WritableModel = "Contact" | "Account" | "Opportunity";

/** What a writer may ask while building an action's input. */
export interface WriteContext {
  /**
   * The provider's id of an object a reference names by Switchyard id (`account`, `owner`, `stage`), found in
   * the connection's unified objects; a WriteFieldError on `field` when the connection has no such object.
   */
  remoteIdOf(model: CrmModelName, id: string, field: string): Promise<string>;
}

/** One call of a provider's typed action. */
export interface ActionCall {
  action: string;
  input: Record<string, unknown>;
}

/** What a write did, to turn into the cached record. */
export interface WriteOutcome {
  /** The action's validated output. */
  output: unknown;
  /** The input the action was called with. */
  input: Record<string, unknown>;
  /** The record as the cache held it before an update (absent for a create, or when it was not synced yet). */
  previous?: Readonly<Record<string, unknown>> | undefined;
}

/** The Merge request fields of a model (`first_name`, `account`…), as the POST or PATCH body's `model` holds them. */
export type ModelFields = Readonly<Record<string, unknown>>;

export interface UnifiedWriter {
  provider: string;
  model: WritableModel;
  /** The stream the written record belongs to: where the records cache keeps it and the read mapper finds it. */
  stream: string;
  /** The model's fields this writer sends to the provider; others in a request are ignored with a warning. */
  fields: readonly string[];
  /** Fields a create cannot do without (the provider requires them). */
  required: readonly string[];
  /** The action (and its input) that creates an object with these fields. */
  create(fields: ModelFields, ctx: WriteContext): Promise<ActionCall>;
  /**
   * The action (and its input) that changes these fields of the object with provider id `remoteId`; `previous`
   * is its cached raw record, when it has been synced (for fields the provider writes as one, like a name).
   */
  update(
    remoteId: string,
    fields: ModelFields,
    ctx: WriteContext,
    previous?: Readonly<Record<string, unknown>>,
  ): Promise<ActionCall>;
  /** The raw record, as a sync of `stream` would cache it, after the write. */
  toRecord(outcome: WriteOutcome): Record<string, unknown>;
  /** The action (and its input) that deletes (or archives) the object; absent when the provider cannot yet. */
  delete?(remoteId: string): ActionCall;
  /**
   * How an existing object is found by its natural key (a Contact's email, an Account's name) through the
   * provider's search API, so a sync links it instead of creating a second one; absent when the model has
   * no natural key (Opportunity) or the provider dedupes by it itself (HubSpot upserts contacts by email).
   */
  match?: NaturalKeyMatch;
}

/** A model's natural key and the provider's lookup of it. */
export interface NaturalKeyMatch {
  /** What the key is, for messages: `email`, `name`. */
  key: string;
  /** The key a create's fields carry, normalized as `find` compares it (trimmed, lower case); or undefined. */
  keyOf(fields: ModelFields): string | undefined;
  /**
   * The provider's ids of the live objects whose key is one of `keys` (normalized as keyOf does), by key;
   * a key no object has is absent. Every object with the key is listed, so the caller can tell two apart.
   */
  find(http: HttpClient, keys: readonly string[]): Promise<ReadonlyMap<string, readonly string[]>>;
}

/** A natural key as `match` compares it: trimmed, lower case (email and name matches ignore case). */
export function normalizedKey(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const key = value.trim().toLowerCase();
  return key === "" ? undefined : key;
}

/** Contacts' natural key: the first email address. */
export const emailKeyOf = (fields: ModelFields): string | undefined =>
  normalizedKey(firstOf(fields.email_addresses, "email_address"));

/** Accounts' natural key: the name. */
export const nameKeyOf = (fields: ModelFields): string | undefined => normalizedKey(fields.name);

/**
 * A field of the request cannot be written as it is (an unknown reference, a value the provider cannot
 * take): answered as Merge's `errors` entry pointing at `model/<field>`.
 */
export class WriteFieldError extends SwitchyardError {
  readonly field: string;

  constructor(field: string, message: string, hint?: string) {
    super("request_invalid", message, {
      hint: hint ?? "Fix the field and send the request again.",
      details: { field },
    });
    this.field = field;
  }
}

/** Writers by provider and model; built once from the providers' lists. */
export class WriterRegistry {
  readonly #writers: readonly UnifiedWriter[];

  constructor(writers: readonly UnifiedWriter[]) {
    const seen = new Set<string>();
    for (const writer of writers) {
      const key = `${writer.provider}/${writer.model}`;
      if (seen.has(key)) throw new Error(`Two unified writers for ${key}; a provider writes a model once.`);
      seen.add(key);
    }
    this.#writers = writers;
  }

  /** The provider's writer of a model, or undefined when the provider cannot write it (yet). */
  find(provider: string, model: CrmModelName): UnifiedWriter | undefined {
    return this.#writers.find((writer) => writer.provider === provider && writer.model === model);
  }

  /** These writers with `writer` in place of the one of its provider and model (a run's own variant). */
  replacing(writer: UnifiedWriter): WriterRegistry {
    const others = this.#writers.filter((w) => w.provider !== writer.provider || w.model !== writer.model);
    return new WriterRegistry([...others, writer]);
  }
}

/** Helpers writers share. */

/** The first non-empty entry's `key` of a list of Merge sub-objects (`email_addresses[0].email_address`). */
export function firstOf(
  list: unknown,
  key: string,
  where?: (item: Record<string, unknown>) => boolean,
): string | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const item of list) {
    if (item === null || typeof item !== "object") continue;
    const entry = item as Record<string, unknown>;
    const value = entry[key];
    if (typeof value === "string" && value.trim() !== "" && (!where || where(entry))) return value.trim();
  }
  return undefined;
}

/** Whether the request sets the field at all (present, even to null). */
export function sets(fields: ModelFields, name: string): boolean {
  return Object.hasOwn(fields, name) && fields[name] !== undefined;
}

/** Sets `out[key]` when the request sets `field` (converted by `as`); null clears it. */
export function copyField<Out extends Record<string, unknown>>(
  out: Out,
  fields: ModelFields,
  field: string,
  key: keyof Out & string,
  as: (value: unknown) => unknown = (value) => value,
): void {
  if (!sets(fields, field)) return;
  const value = fields[field];
  (out as Record<string, unknown>)[key] = value === null ? null : as(value);
}

/**
 * The remote id a reference field names, null when the request clears it, undefined when it does not set it.
 * An expanded object (`{id: …}`) is taken by its `id`.
 */
export async function referenceOf(
  fields: ModelFields,
  name: string,
  model: CrmModelName,
  ctx: WriteContext,
): Promise<string | null | undefined> {
  if (!sets(fields, name)) return undefined;
  const value = fields[name];
  if (value === null) return null;
  const id = typeof value === "string" ? value : (value as { id?: unknown } | null)?.id;
  if (typeof id !== "string" || id === "") {
    throw new WriteFieldError(name, `\`${name}\` must be the id of a ${model} (a string).`);
  }
  return ctx.remoteIdOf(model, id, name);
}

/** Throws a WriteFieldError for the first of `required` the request leaves out or sets to null. */
export function requireFields(fields: ModelFields, required: readonly string[], what: string): void {
  for (const field of required) {
    if (fields[field] === undefined || fields[field] === null) {
      throw new WriteFieldError(field, `\`${field}\` is needed to create ${what}.`);
    }
  }
}

/** A date-time field as ISO 8601 UTC (`2030-01-15T00:00:00.000Z`); a WriteFieldError when it is not one. */
export function isoTimestampOf(field: string, value: unknown): string {
  const ms = Date.parse(String(value));
  if (!Number.isFinite(ms)) throw new WriteFieldError(field, `\`${field}\` must be an ISO 8601 date-time.`);
  return new Date(ms).toISOString();
}
