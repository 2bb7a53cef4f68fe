/**
 * The mapper registry: per provider and Common Model, the mapper from the provider's cached raw records to
 * the model. A provider ships its mappers in `src/providers/<name>/unified/` and lists them in
 * `src/providers/unified-mappers.ts`; the unified API finds them here and knows no provider.
 *
 * A mapper reads one stream's raw record (the payload the records cache holds) and returns the model objects
 * in it: usually one, keyed by the record's primary key; sometimes objects seen on it (a deal's stage).
 */
import { createHash } from "node:crypto";

export type CrmModelName = "Account" | "Contact" | "Opportunity" | "User" | "Stage";

/** What a mapper may ask while mapping one record. */
export interface MapContext {
  /**
   * Switchyard's id of an object of this connection, from the stream it is (or would be) read from and the
   * provider's id: computed, never looked up, so a reference needs no read of the other record.
   */
  idOf(stream: string, remoteId: string): string;
}

/** One Common Model object found in a raw record. */
export interface MappedObject {
  /** The provider's id of the object: the model's `remote_id`. */
  remoteId: string;
  /** The stream whose ids the object's id is made in (`companies`; for a deal's stage, `stages`). */
  idStream: string;
  /**
   * The model's own fields, references as ids (`account: idOf("companies", "7")`); without the bookkeeping
   * fields (`id`, `remote_id`, `created_at`, `modified_at`, `remote_was_deleted`, `remote_data`).
   */
  fields: Record<string, unknown>;
  /** The provider API path the raw payload belongs to (`/crm/v3/objects/contacts/42`), for `remote_data`. */
  remotePath: string;
  /**
   * True for an object seen on another record rather than read as one (a deal's stage): it lives on when
   * that record is deleted, and a later record does not change when Switchyard first saw it.
   */
  derived?: boolean;
}

export interface UnifiedMapper {
  provider: string;
  model: CrmModelName;
  /** The stream whose records the model is read from. */
  stream: string;
  /** Changes when the mapping changes: objects mapped by another version are mapped again from the cache. */
  version: string;
  /** The model objects in one raw record of `stream`. */
  fromRecord(record: Readonly<Record<string, unknown>>, ctx: MapContext): MappedObject[];
}

/**
 * Switchyard's id of an object: a UUID made from (connection, stream, provider id), stable across re-syncs and
 * rebuilds, different between connections (Merge's `id`; the provider's id is `remote_id`).
 */
export function unifiedId(connectionId: string, stream: string, remoteId: string): string {
  const hex = createHash("sha256").update(`${connectionId}\u0000${stream}\u0000${remoteId}`).digest("hex");
  // Laid out as a version-8 (custom) UUID of the RFC 9562 variant.
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The map context of one connection. */
export function mapContextOf(connectionId: string): MapContext {
  return { idOf: (stream, remoteId) => unifiedId(connectionId, stream, remoteId) };
}

/** Mappers by provider and model; built once from the providers' lists. */
export class MapperRegistry {
  readonly #mappers: readonly UnifiedMapper[];

  constructor(mappers: readonly UnifiedMapper[]) {
    const seen = new Set<string>();
    for (const mapper of mappers) {
      const key = `${mapper.provider}/${mapper.model}`;
      if (seen.has(key)) throw new Error(`Two unified mappers for ${key}; a provider maps a model once.`);
      seen.add(key);
    }
    this.#mappers = mappers;
  }

  /** The provider's mapper of a model, or undefined when the provider does not serve it (yet). */
  find(provider: string, model: CrmModelName): UnifiedMapper | undefined {
    return this.#mappers.find((mapper) => mapper.provider === provider && mapper.model === model);
  }

  /** The provider's mappers reading `stream`, in a stable order. */
  ofStream(provider: string, stream: string): UnifiedMapper[] {
    return this.#mappers.filter((mapper) => mapper.provider === provider && mapper.stream === stream);
  }

  /** The providers that map at least one model. */
  providers(): string[] {
    return [...new Set(this.#mappers.map((mapper) => mapper.provider))];
  }

  /** The models the provider maps. */
  modelsOf(provider: string): CrmModelName[] {
    return this.#mappers.filter((mapper) => mapper.provider === provider).map((mapper) => mapper.model);
  }

  /** The streams the provider's mappers read. */
  streamsOf(provider: string): string[] {
    return [...new Set(this.#mappers.filter((m) => m.provider === provider).map((m) => m.stream))];
  }

  /** One version string for everything mapped from a stream: a changed mapper rebuilds the stream's objects. */
  versionOf(provider: string, stream: string): string {
    return this.ofStream(provider, stream)
      .map((mapper) => `${mapper.model}@${mapper.version}`)
      .join(",");
  }
}
