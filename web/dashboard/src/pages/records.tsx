/**
 * The records browser: a connection's cached records, stream by stream, page by page; a record opens its
 * raw payload beside the unified (Merge-shaped) object made from it.
 */
import { useState } from "react";
import { useSearchParams } from "react-router";
import type { StreamRecord } from "../api.ts";
import {
  Badge,
  Button,
  Card,
  Empty,
  Json,
  PageHeader,
  QueryView,
  Select,
  Table,
  Toolbar,
} from "../components/ui.tsx";
import { ago } from "../format.ts";
import { useQuery } from "../hooks.ts";
import { endUserLabel, providerName, useConnectionList, useProviders } from "../lookups.ts";

const PAGE_SIZE = 25;
/** Unified model paths to look a record up in, by words in the stream's name (best guess first). */
const MODEL_HINTS: [RegExp, string][] = [
  [/contact|person|people|lead/, "contacts"],
  [/compan|organi[sz]ation|account/, "accounts"],
  [/deal|opportunit/, "opportunities"],
  [/owner|user/, "users"],
  [/stage|pipeline/, "stages"],
];

function modelsFor(stream: string): string[] {
  const first = MODEL_HINTS.filter(([pattern]) => pattern.test(stream)).map(([, path]) => path);
  return [...new Set([...first, ...MODEL_HINTS.map(([, path]) => path)])];
}

export function RecordsPage() {
  const [params, setParams] = useSearchParams();
  const providers = useProviders();
  const connections = useConnectionList();
  const connectionId = params.get("connection_id") ?? connections.data?.[0]?.id ?? "";
  const connection = connections.data?.find((item) => item.id === connectionId);
  const streams = providers.data?.find((provider) => provider.name === connection?.provider)?.streams ?? [];
  const stream = params.get("stream") ?? streams[0]?.name ?? "";
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<StreamRecord | null>(null);
  const cursor = cursors[cursors.length - 1];

  const choose = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    if (name === "connection_id") next.delete("stream");
    setParams(next, { replace: true });
    setCursors([undefined]);
    setSelected(null);
  };

  const records = useQuery(`records:${connectionId}:${stream}:${cursor ?? ""}`, async (client) => {
    if (!connectionId || !stream) return null;
    return client.get("/v1/records", {
      query: { connection_id: connectionId, stream, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) },
    });
  });

  return (
    <>
      <PageHeader title="Records" subtitle="What each connection's syncs brought in, raw and unified." />
      <Card>
        <Toolbar>
          <Select
            label="Connection"
            value={connectionId}
            onChange={(value) => choose("connection_id", value)}
            options={(connections.data ?? []).map((item) => ({
              value: item.id,
              label: `${endUserLabel(item)} · ${providerName(providers.data, item.provider)}`,
            }))}
          />
          <Select
            label="Stream"
            value={stream}
            onChange={(value) => choose("stream", value)}
            options={streams.map((item) => ({ value: item.name, label: item.name }))}
          />
        </Toolbar>
        {connections.data?.length === 0 ? (
          <Empty title="No connections yet">Records appear once a connection has synced.</Empty>
        ) : (
          <QueryView query={records} label="Loading records…">
            {(page) =>
              !page || page.data.length === 0 ? (
                <Empty title={`No ${stream} records yet`}>Trigger the connection's sync to fetch them.</Empty>
              ) : (
                <>
                  <Table label={`${stream} records`} head={["Id", "Last action", "Modified", "Preview"]}>
                    {page.data.map((record) => (
                      <tr key={record.id} className={selected?.id === record.id ? "selected" : undefined}>
                        <td>
                          <button
                            type="button"
                            className="link-button mono"
                            onClick={() => setSelected(record)}
                          >
                            {record.id}
                          </button>
                        </td>
                        <td>
                          <Badge
                            status={record.last_action === "deleted" ? "failed" : "succeeded"}
                            label={record.last_action}
                          />
                        </td>
                        <td>{ago(record.last_modified_at)}</td>
                        <td className="preview">{preview(record.payload)}</td>
                      </tr>
                    ))}
                  </Table>
                  <div className="pager">
                    <Button
                      disabled={cursors.length <= 1}
                      onClick={() => setCursors((list) => list.slice(0, -1))}
                    >
                      Previous
                    </Button>
                    <span className="muted small">Page {cursors.length}</span>
                    <Button
                      disabled={!page.next_cursor}
                      onClick={() => setCursors((list) => [...list, page.next_cursor ?? undefined])}
                    >
                      Next
                    </Button>
                  </div>
                </>
              )
            }
          </QueryView>
        )}
      </Card>
      {selected && connectionId ? (
        <RecordCompare key={selected.id} record={selected} stream={stream} connectionId={connectionId} />
      ) : null}
    </>
  );
}

function preview(payload: unknown): string {
  const text = JSON.stringify(payload) ?? "";
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

function RecordCompare(props: { record: StreamRecord; stream: string; connectionId: string }) {
  // Read with the API key: the connection's account token is never needed here (nor shown).
  const unified = useQuery(`unified:${props.connectionId}:${props.record.id}`, async (client) => {
    for (const model of modelsFor(props.stream)) {
      const page = await client.get("/v1/connections/:id/unified/:model", {
        params: { id: props.connectionId, model },
        query: { remote_id: props.record.id, include_deleted_data: true, page_size: 1 },
      });
      if (page.results[0]) return { model, object: page.results[0] };
    }
    return { model: null, object: null };
  });
  return (
    <div className="grid-2 compare">
      <Card title={`Raw ${props.stream} record`}>
        <Json value={props.record.payload} label="Raw record" />
      </Card>
      <Card title="Unified object">
        <QueryView query={unified} label="Looking for its unified object…">
          {(found) =>
            found.object ? (
              <>
                <p className="muted small">What GET /api/crm/v1/{found.model} serves for this connection</p>
                <Json value={found.object} label="Unified object" />
              </>
            ) : (
              <Empty title="No unified object for this record">
                This stream is not mapped to a Common Model.
              </Empty>
            )
          }
        </QueryView>
      </Card>
    </div>
  );
}
