import type {
  Destination,
  ProviderDefinition,
  RecordBatch,
  StreamDefinition,
  StreamTarget,
  SyncRecord,
} from "../../src/core/index.ts";

/**
 * An in-memory provider for engine tests: streams (`items` unless `streams` names others) over one mutable
 * array, read in pages of `pageSize`, with state `{ offset }`. Every state a read was started from is
 * recorded: in `startedFrom` for all streams in order, and per stream in `startedFromByStream`.
 */
export function fakeProvider(options: { data: SyncRecord[]; pageSize: number; streams?: readonly string[] }) {
  const startedFrom: (number | undefined)[] = [];
  const startedFromByStream: Record<string, (number | undefined)[]> = {};
  const stream = (name: string): StreamDefinition => ({
    name,
    primaryKey: "id",
    cursorField: "updatedAt",
    deletedField: "deleted",
    schema: { columns: { id: "string", name: "string", updatedAt: "timestamp", deleted: "boolean" } },
    async *read(ctx) {
      const offset = typeof ctx.state?.offset === "number" ? ctx.state.offset : undefined;
      startedFrom.push(offset);
      startedFromByStream[name] = [...(startedFromByStream[name] ?? []), offset];
      for (let at = offset ?? 0; at < options.data.length; at += options.pageSize) {
        const records = options.data.slice(at, at + options.pageSize);
        yield { records, state: { offset: at + records.length } };
      }
    },
  });
  const provider: ProviderDefinition = {
    name: "fake",
    displayName: "Fake",
    baseUrl: "http://127.0.0.1:9",
    auth: { type: "bearer" },
    streams: (options.streams ?? ["items"]).map(stream),
    async checkCredentials() {},
  };
  return { provider, startedFrom, startedFromByStream };
}

/** A destination that keeps rows in memory by pk and can be told to fail on its Nth write. */
export class MemoryDestination implements Destination {
  readonly name = "memory";
  readonly rows = new Map<string, { data: SyncRecord; deleted: boolean }>();
  writes = 0;
  failOnWrite: number | undefined;

  async prepare(_target: StreamTarget): Promise<void> {}

  /** `syncedThrough` per connection and stream, committed with each batch that carries one. */
  readonly marks = new Map<string, string>();

  async write(batch: RecordBatch): Promise<void> {
    this.writes += 1;
    if (this.failOnWrite === this.writes) throw new Error("disk full (simulated)");
    for (const record of batch.records)
      this.rows.set(record.pk, { data: JSON.parse(record.json) as SyncRecord, deleted: record.deleted });
    if (batch.syncedThrough !== undefined)
      this.marks.set(`${batch.connectionId}/${batch.target.stream}`, batch.syncedThrough);
  }

  async syncedThrough(connectionId: string, target: StreamTarget): Promise<string | null> {
    return this.marks.get(`${connectionId}/${target.stream}`) ?? null;
  }

  async close(): Promise<void> {}
}

export function makeItems(count: number, version = 1): SyncRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `item-${String(i).padStart(5, "0")}`,
    name: `Item ${i} v${version}`,
    updatedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    deleted: false,
  }));
}
