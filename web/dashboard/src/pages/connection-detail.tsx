/**
 * One connection: who and what it is, its syncs with each stream's status and record count, its recent
 * runs (live while they run), and what can be done to it: trigger, full refresh, pause / resume, test,
 * re-auth through a Connect link, delete.
 */
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import type { Client, Connection, Sync } from "../api.ts";
import { RunsTable } from "../components/runs-table.tsx";
import {
  Badge,
  Button,
  ButtonLink,
  Card,
  ConfirmDialog,
  CopyField,
  Dialog,
  Empty,
  ErrorBox,
  PageHeader,
  QueryView,
  Stat,
  Stats,
  Table,
} from "../components/ui.tsx";
import { ago, count, dateTime } from "../format.ts";
import { useAction, useQuery } from "../hooks.ts";
import { endUserLabel, providerName, useProviders } from "../lookups.ts";
import { useClient } from "../session.tsx";

const LIVE_MS = 3_000;

/** A stream's exact record counts: one indexed COUNT on the server (`GET /v1/records/count`). */
async function recordCount(client: Client, connectionId: string, stream: string) {
  return client.get("/v1/records/count", { query: { connection_id: connectionId, stream } });
}

export function ConnectionDetailPage() {
  const { id = "" } = useParams();
  const providers = useProviders();
  const connection = useQuery(
    `connection:${id}`,
    (client) => client.get("/v1/connections/:id", { params: { id } }),
    10_000,
  );
  return (
    <QueryView query={connection} label="Loading the connection…">
      {(data) => (
        <ConnectionView
          connection={data}
          providerLabel={providerName(providers.data, data.provider)}
          onChanged={connection.reload}
        />
      )}
    </QueryView>
  );
}

function ConnectionView(props: { connection: Connection; providerLabel: string; onChanged(): void }) {
  const { connection } = props;
  const client = useClient();
  const navigate = useNavigate();
  const action = useAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [testResult, setTestResult] = useState<string | null>(null);
  const [connectUrl, setConnectUrl] = useState<string | null>(null);
  const syncs = useQuery(
    `syncs:${connection.id}`,
    async (c) => (await c.get("/v1/syncs", { query: { connection_id: connection.id } })).data,
    LIVE_MS,
  );
  const runs = useQuery(
    `runs:${connection.id}`,
    async (c) => (await c.get("/v1/runs", { query: { connection_id: connection.id, limit: 10 } })).data,
    LIVE_MS,
  );
  const paused = connection.status === "paused";

  return (
    <>
      <PageHeader
        title={
          <>
            {endUserLabel(connection)} · {props.providerLabel} <Badge status={connection.status} />
          </>
        }
        subtitle={
          <span className="mono">
            {connection.id} · created {dateTime(connection.created_at)}
          </span>
        }
        actions={
          <>
            <Button
              busy={action.pending}
              onClick={() =>
                void action.run(async () => {
                  const result = await client.post("/v1/connections/:id/test", {
                    params: { id: connection.id },
                  });
                  setTestResult(
                    result.ok
                      ? `${props.providerLabel} accepted the credentials.`
                      : "The provider refused the credentials.",
                  );
                  props.onChanged();
                })
              }
            >
              Test
            </Button>
            <Button
              onClick={() =>
                void action.run(async () => {
                  await client.patch("/v1/connections/:id", {
                    params: { id: connection.id },
                    body: { status: paused ? "active" : "paused" },
                  });
                  props.onChanged();
                })
              }
            >
              {paused ? "Resume" : "Pause"}
            </Button>
            <Button
              onClick={() =>
                void action.run(async () => {
                  const session = await client.post("/v1/connect-sessions", {
                    body: {
                      end_user: {
                        id: connection.end_user.id ?? connection.id,
                        email: connection.end_user.email,
                        organization: connection.end_user.organization,
                      },
                      allowed_providers: [connection.provider],
                      connection_id: connection.id,
                    },
                  });
                  setConnectUrl(session.connect_url);
                })
              }
            >
              Re-auth link
            </Button>
            <Button variant="danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </Button>
          </>
        }
      />
      {testResult ? (
        <p className="notice" role="status">
          {testResult}
        </p>
      ) : null}
      {!confirmDelete ? <ErrorBox error={action.error} /> : null}
      {connection.last_error ? (
        <div className="state state-error" role="alert">
          <strong>{connection.last_error.message}</strong>
          {connection.last_error.hint ? <p className="hint">{connection.last_error.hint}</p> : null}
          <p className="muted small">code {connection.last_error.code}</p>
        </div>
      ) : null}

      <Card title="About">
        <Stats text>
          <Stat label="End user" value={connection.end_user.id ?? "—"} />
          <Stat label="Email" value={connection.end_user.email ?? "—"} />
          <Stat label="Organization" value={connection.end_user.organization ?? "—"} />
          <Stat label="Last checked" value={ago(connection.last_checked_at)} />
          <Stat label="Tags" value={connection.tags.length ? connection.tags.join(", ") : "—"} />
        </Stats>
      </Card>

      <QueryView query={syncs} label="Loading syncs…">
        {(list) =>
          list.length === 0 ? (
            <Card title="Syncs">
              <Empty title="No sync for this connection">Create one with POST /v1/syncs.</Empty>
            </Card>
          ) : (
            list.map((sync) => (
              <SyncCard key={sync.id} sync={sync} connectionId={connection.id} onChanged={syncs.reload} />
            ))
          )
        }
      </QueryView>

      <Card
        title="Recent runs"
        actions={<ButtonLink to={`/runs?connection_id=${connection.id}`}>All runs</ButtonLink>}
      >
        <QueryView query={runs}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No runs yet">Trigger the sync to run it now.</Empty>
            ) : (
              <RunsTable runs={list} showConnection={false} />
            )
          }
        </QueryView>
      </Card>

      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${endUserLabel(connection)}'s ${props.providerLabel} connection?`}
        confirmLabel="Delete connection"
        busy={action.pending}
        error={action.error}
        onClose={() => {
          setConfirmDelete(false);
          action.clear();
        }}
        onConfirm={() =>
          void action.run(async () => {
            await client.delete("/v1/connections/:id", { params: { id: connection.id } });
            setConfirmDelete(false);
            navigate("/connections");
          })
        }
      >
        <p>
          Its credentials, syncs and cached records are removed. The customer has to connect again to get it
          back.
        </p>
      </ConfirmDialog>
      <Dialog
        open={connectUrl !== null}
        title="Re-auth link"
        onClose={() => setConnectUrl(null)}
        actions={<Button onClick={() => setConnectUrl(null)}>Close</Button>}
      >
        <p>Send this link to the customer: it opens the Connect page to authorise this connection again.</p>
        {connectUrl ? <CopyField label="Connect link" value={connectUrl} /> : null}
      </Dialog>
    </>
  );
}

function SyncCard(props: { sync: Sync; connectionId: string; onChanged(): void }) {
  const { sync } = props;
  const client = useClient();
  const action = useAction();
  const status = useQuery(
    `sync-status:${sync.id}`,
    (c) => c.get("/v1/syncs/:id/status", { params: { id: sync.id } }),
    LIVE_MS,
  );
  const running = sync.running_since !== null;
  // Counted again after each run, and every few seconds while one runs: the numbers grow as pages commit.
  const counts = useQuery(
    `counts:${sync.id}:${sync.last_run_id ?? ""}:${running}`,
    async (c) => {
      const entries = await Promise.all(
        sync.streams.map(
          async (stream) => [stream, await recordCount(c, props.connectionId, stream)] as const,
        ),
      );
      return new Map(entries);
    },
    running ? LIVE_MS : undefined,
  );
  const trigger = (fullRefresh: boolean) =>
    void action.run(async () => {
      await client.post("/v1/syncs/:id/trigger", {
        params: { id: sync.id },
        body: { full_refresh: fullRefresh },
      });
      props.onChanged();
    });

  return (
    <Card
      title={
        <>
          Sync every {sync.frequency}{" "}
          {running ? <Badge status="running" /> : <Badge status={sync.enabled ? "enabled" : "paused"} />}
        </>
      }
      actions={
        <>
          <Button variant="primary" busy={action.pending} onClick={() => trigger(false)}>
            Trigger sync
          </Button>
          <Button onClick={() => trigger(true)}>Full refresh</Button>
          <Button
            onClick={() =>
              void action.run(async () => {
                await client.patch("/v1/syncs/:id", {
                  params: { id: sync.id },
                  body: { enabled: !sync.enabled },
                });
                props.onChanged();
              })
            }
          >
            {sync.enabled ? "Pause sync" : "Resume sync"}
          </Button>
        </>
      }
    >
      <ErrorBox error={action.error} />
      <p className="muted small">
        {running ? `Running since ${dateTime(sync.running_since)}. ` : ""}
        {sync.run_requested ? `Run requested ${ago(sync.run_requested.at)}. ` : ""}
        Next run {sync.next_run_at ? ago(sync.next_run_at) : "not scheduled"}
        {sync.destinations.warehouse ? " · feeds the warehouse" : ""}
        {sync.last_run_id ? (
          <>
            {" · "}
            <Link to={`/runs/${sync.last_run_id}`}>last run</Link>
          </>
        ) : null}
      </p>
      <QueryView query={status}>
        {(result) => (
          <Table label="Streams" head={["Stream", "Status", "Records", "Last finished", "Last error"]}>
            {result.data.map((stream) => {
              const counted = counts.data?.get(stream.stream);
              return (
                <tr key={stream.stream} data-stream={stream.stream}>
                  <td className="mono">{stream.stream}</td>
                  <td>
                    <Badge status={stream.status} />
                  </td>
                  <td className="num" data-testid={`records-${stream.stream}`}>
                    {counted ? (
                      <>
                        {count(counted.live)}
                        {counted.deleted ? (
                          <span className="muted small"> ({count(counted.deleted)} deleted)</span>
                        ) : null}
                      </>
                    ) : (
                      <span className="muted">…</span>
                    )}
                  </td>
                  <td>{ago(stream.last_finished_at)}</td>
                  <td className="wrap">{stream.last_error?.message ?? <span className="muted">—</span>}</td>
                </tr>
              );
            })}
          </Table>
        )}
      </QueryView>
    </Card>
  );
}
