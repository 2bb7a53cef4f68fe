/**
 * Reverse ETL: the models (warehouse queries) and the syncs sending them into apps; for a sync, its runs with
 * their diff counts, the rows that failed, a dry-run preview of what the next run would send, and running it.
 */
import { useState } from "react";
import { Link } from "react-router";
import type { RetlRun, RetlSync } from "../api.ts";
import {
  Badge,
  Button,
  Card,
  Empty,
  ErrorBox,
  Json,
  PageHeader,
  QueryView,
  Stat,
  Stats,
  Table,
} from "../components/ui.tsx";
import { ago, count, shortId } from "../format.ts";
import { useAction, useQuery } from "../hooks.ts";
import { useConnectionLabel } from "../lookups.ts";
import { useClient } from "../session.tsx";

export function ReverseEtlPage() {
  const models = useQuery("retl-models", async (client) => (await client.get("/v1/reverse-etl/models")).data);
  const syncs = useQuery("retl-syncs", async (client) => (await client.get("/v1/reverse-etl/syncs")).data);
  const [selected, setSelected] = useState<string | null>(null);
  const connectionLabel = useConnectionLabel();
  const modelName = (id: string) => models.data?.find((model) => model.id === id)?.name ?? shortId(id);
  return (
    <>
      <PageHeader
        title="Reverse ETL"
        subtitle="Warehouse queries (models) sent into apps, sending only what changed."
      />
      <Card title="Models">
        <QueryView query={models}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No models yet">
                Create one with POST /v1/reverse-etl/models (docs/reverse-etl.md).
              </Empty>
            ) : (
              <Table label="Models" head={["Name", "Primary key", "Columns", "Updated"]}>
                {list.map((model) => (
                  <tr key={model.id}>
                    <td>
                      <strong>{model.name}</strong>
                      <div className="muted small mono">
                        {model.sql.length > 80 ? `${model.sql.slice(0, 80)}…` : model.sql}
                      </div>
                    </td>
                    <td className="mono">{model.primary_key}</td>
                    <td>{model.columns.map((column) => column.name).join(", ")}</td>
                    <td>{ago(model.updated_at)}</td>
                  </tr>
                ))}
              </Table>
            )
          }
        </QueryView>
      </Card>
      <Card title="Syncs">
        <QueryView query={syncs}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No reverse-ETL syncs yet" />
            ) : (
              <Table label="Reverse-ETL syncs" head={["Model", "Into", "Mode", "Target", ""]}>
                {list.map((sync) => (
                  <tr key={sync.id} className={selected === sync.id ? "selected" : undefined}>
                    <td>{modelName(sync.model_id)}</td>
                    <td>
                      <Link to={`/connections/${sync.connection_id}`}>
                        {connectionLabel(sync.connection_id)}
                      </Link>
                    </td>
                    <td>{sync.mode}</td>
                    <td>
                      {"model" in sync.target
                        ? `unified ${sync.target.model}`
                        : `action ${sync.target.create ?? sync.target.update ?? ""}`}
                    </td>
                    <td>
                      <Button onClick={() => setSelected(sync.id)} aria-pressed={selected === sync.id}>
                        Open
                      </Button>
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </QueryView>
      </Card>
      {selected && syncs.data?.find((sync) => sync.id === selected) ? (
        <SyncPanel key={selected} sync={syncs.data.find((sync) => sync.id === selected) as RetlSync} />
      ) : null}
    </>
  );
}

function DiffStats(props: { run: RetlRun }) {
  const { stats } = props.run;
  return (
    <Stats>
      <Stat label="Added" value={count(stats.added)} />
      <Stat label="Changed" value={count(stats.changed)} />
      <Stat label="Removed" value={count(stats.removed)} />
      <Stat label="Unchanged" value={count(stats.unchanged)} />
      {props.run.dry_run ? null : (
        <>
          <Stat label="Created" value={count(stats.created)} tone="good" />
          <Stat label="Updated" value={count(stats.updated)} />
          <Stat label="Deleted" value={count(stats.deleted)} />
          <Stat
            label="Failed"
            value={count(stats.failed)}
            {...(stats.failed ? { tone: "bad" as const } : {})}
          />
          <Stat label="Skipped" value={count(stats.skipped)} />
        </>
      )}
    </Stats>
  );
}

function SyncPanel(props: { sync: RetlSync }) {
  const client = useClient();
  const action = useAction();
  const [preview, setPreview] = useState<RetlRun | null>(null);
  const [openRun, setOpenRun] = useState<string | null>(null);
  const runs = useQuery(
    `retl-runs:${props.sync.id}`,
    async (c) =>
      (await c.get("/v1/reverse-etl/syncs/:id/runs", { params: { id: props.sync.id }, query: { limit: 20 } }))
        .data,
    5_000,
  );
  return (
    <Card
      title="Sync runs"
      actions={
        <>
          <Button
            busy={action.pending}
            onClick={() =>
              void action.run(async () =>
                setPreview(
                  await client.post("/v1/reverse-etl/syncs/:id/dry-run", {
                    params: { id: props.sync.id },
                    body: { sample_size: 5 },
                  }),
                ),
              )
            }
          >
            Dry run
          </Button>
          <Button
            variant="primary"
            busy={action.pending}
            onClick={() =>
              void action.run(async () => {
                await client.post("/v1/reverse-etl/syncs/:id/run", { params: { id: props.sync.id } });
                runs.reload();
              })
            }
          >
            Run now
          </Button>
        </>
      }
    >
      <ErrorBox error={action.error} />
      {preview ? (
        <section className="preview-box" aria-label="Dry-run preview">
          <h3>Dry-run preview: what the next run would send</h3>
          <DiffStats run={preview} />
          {preview.samples.added.length + preview.samples.changed.length + preview.samples.removed.length ===
          0 ? (
            <p className="muted">Nothing to send: the app matches the model.</p>
          ) : (
            <Json value={preview.samples} label="Preview samples" />
          )}
        </section>
      ) : null}
      <QueryView query={runs}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No runs yet" />
          ) : (
            <Table
              label="Reverse-ETL runs"
              head={["Run", "Status", "Started", "Added", "Changed", "Removed", "Failed", ""]}
            >
              {list.map((run) => (
                <tr key={run.id}>
                  <td className="mono">
                    {shortId(run.id)}
                    {run.dry_run ? <div className="muted small">dry run</div> : null}
                  </td>
                  <td>
                    <Badge status={run.status} />
                    {run.error ? <div className="small error-text">{run.error}</div> : null}
                  </td>
                  <td>{ago(run.started_at)}</td>
                  <td className="num">{count(run.stats.added)}</td>
                  <td className="num">{count(run.stats.changed)}</td>
                  <td className="num">{count(run.stats.removed)}</td>
                  <td className="num">{count(run.stats.failed)}</td>
                  <td>
                    {run.stats.failed > 0 ? (
                      <Button onClick={() => setOpenRun(openRun === run.id ? null : run.id)}>
                        Failed rows
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryView>
      {openRun ? <FailedRows syncId={props.sync.id} runId={openRun} /> : null}
    </Card>
  );
}

function FailedRows(props: { syncId: string; runId: string }) {
  const rows = useQuery(
    `retl-rows:${props.runId}`,
    async (client) =>
      (
        await client.get("/v1/reverse-etl/syncs/:id/runs/:run_id/rows", {
          params: { id: props.syncId, run_id: props.runId },
          query: { status: "failed", limit: 100 },
        })
      ).data,
  );
  return (
    <section aria-label="Failed rows">
      <h3>Rows that failed</h3>
      <QueryView query={rows}>
        {(list) => (
          <Table label="Failed rows" head={["Key", "Operation", "Message"]}>
            {list.map((row) => (
              <tr key={`${row.pk}:${row.at}`}>
                <td className="mono">{row.pk}</td>
                <td>{row.operation}</td>
                <td className="wrap error-text">{row.message}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryView>
    </section>
  );
}
