/**
 * Matching existing CRM records in an embedded sync: before a row's record is created, the provider is asked
 * (through the writer's `match`: Pipedrive's search, Salesforce's SOQL) for a live object with the row's
 * natural key (a Contact's email, an Account's name). One found: the row's create becomes an update of that
 * object, and the run links the row to it (as to a record it created), so later runs update it. Two or more:
 * the row fails alone, naming them, and nothing is picked. None: the create goes ahead.
 *
 * It works by wrapping the writer a connection's run uses: the run asks `create` for each row of a page at
 * once, so the lookups of a page are gathered (KeyLoader) and sent together, many keys a request where the
 * API can (SOQL `IN`). Only rows with no link reach `create`, so lookups happen for new rows only.
 */
import { type HttpClient, SwitchyardError } from "../../core/index.ts";
import type { SyncMode } from "../../flows/reverse-etl/definitions.ts";
import type { UnifiedWriter } from "../../unified/writers.ts";

/** Runs a lookup with the connection's HTTP client (its retries and rate-limit budget). */
export type WithHttp = <T>(use: (http: HttpClient) => Promise<T>) => Promise<T>;

/** What matching did in a run, for its report. */
export interface MatchCounts {
  /** Rows whose create became an update of the one existing object with their key. */
  matched: number;
  /** Rows failed because two or more objects have their key. */
  ambiguous: number;
}

/**
 * Gathers the keys asked for in one turn of the event loop and looks them up in one `find`; each caller gets
 * its key's ids. A failed lookup fails the callers of that turn (their rows fail, with why; the next run
 * retries them).
 */
class KeyLoader {
  #waiting = new Map<string, { resolve: (ids: readonly string[]) => void; reject: (e: unknown) => void }[]>();

  constructor(
    private readonly find: (keys: readonly string[]) => Promise<ReadonlyMap<string, readonly string[]>>,
  ) {}

  load(key: string): Promise<readonly string[]> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) setImmediate(() => void this.#flush());
      this.#waiting.set(key, [...(this.#waiting.get(key) ?? []), { resolve, reject }]);
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = new Map();
    try {
      const found = await this.find([...batch.keys()]);
      for (const [key, callers] of batch) for (const c of callers) c.resolve(found.get(key) ?? []);
    } catch (error) {
      for (const callers of batch.values()) for (const c of callers) c.reject(error);
    }
  }
}

/**
 * The writer with matching: `create` first looks the fields' natural key up. The writer as it is when it
 * has no `match` (or the fields carry no key).
 */
export function matchingWriter(
  writer: UnifiedWriter,
  mode: SyncMode,
  withHttp: WithHttp,
  counts: MatchCounts,
): UnifiedWriter {
  const match = writer.match;
  if (!match) return writer;
  const loader = new KeyLoader((keys) => withHttp((http) => match.find(http, keys)));
  return {
    ...writer,
    async create(fields, ctx) {
      const key = match.keyOf(fields);
      if (key === undefined) return writer.create(fields, ctx);
      const ids = await loader.load(key);
      if (ids.length === 0) return writer.create(fields, ctx);
      if (ids.length > 1) {
        counts.ambiguous++;
        throw new SwitchyardError(
          "conflict",
          `${ids.length} existing ${writer.provider} ${writer.model} records have the ${match.key} "${key}" (ids ${ids.slice(0, 5).join(", ")}); the row is not written, so that none is picked at random.`,
          {
            hint: `Merge or delete the duplicates in ${writer.provider}; the next run links the row to the one left.`,
          },
        );
      }
      counts.matched++;
      // Insert-only changes no existing record: an update of nothing, which links the row all the same.
      return writer.update(ids[0]!, mode === "insert" ? {} : fields, ctx);
    },
  };
}
