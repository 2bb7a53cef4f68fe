/**
 * Flows: records moved between two connections of one end user (app-to-app), one way or both; each flow's
 * runs with their counts, the rows a provider refused, and running one now.
 */
import { useState } from "react";
import { Link } from "react-router";
import type { Flow } from "../api.ts";
import { Badge, Button, Card, Empty, ErrorBox, PageHeader, QueryView, Table } from "../components/ui.tsx";
import { ago, count, shortId } from "../format.ts";
import { useAction, useQuery } from "../hooks.ts";
import { useConnectionLabel } from "../lookups.ts";
import { useClient } from "../session.tsx";

function sideLabel(side: Flow["from"]) {
  return side.model ?? side.stream ?? "records";
}

export function FlowsPage() {
  const flows = useQuery("flows", async (client) => (await client.get("/v1/flows")).data, 5_000);
  const [selected, setSelected] = useState<string | null>(null);
  const connectionLabel = useConnectionLabel();
  return (
    <>
      <PageHeader
        title="Flows"
        subtitle="Records moved between two apps of the same customer, with a filter and a field mapping."
      />
      <Card title="Flows">
        <QueryView query={flows}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No flows yet">
                Declare one with POST /v1/flows or defineFlow (docs/flows.md).
              </Empty>
            ) : (
              <Table label="Flows" head={["Name", "From", "To", "Direction", "Schedule", "State", ""]}>
                {list.map((flow) => (
                  <tr key={flow.id} className={selected === flow.id ? "selected" : undefined}>
                    <td>
                      <strong>{flow.name}</strong>
                      <div className="muted small">{flow.mapping.length} mapped fields</div>
                    </td>
                    <td>
                      <Link to={`/connections/${flow.from.connection_id}`}>
                        {connectionLabel(flow.from.connection_id)}
                      </Link>
                      <div className="muted small mono">{sideLabel(flow.from)}</div>
                    </td>
                    <td>
                      <Link to={`/connections/${flow.to.connection_id}`}>
                        {connectionLabel(flow.to.connection_id)}
                      </Link>
                      <div className="muted small mono">{sideLabel(flow.to)}</div>
                    </td>
                    <td>{flow.direction === "two_way" ? "both ways" : "one way"}</td>
                    <td>
                      {flow.schedule ?? "—"}
                      {flow.on_change ? <div className="muted small">and on change</div> : null}
                    </td>
                    <td>
                      <Badge status={flow.enabled ? "enabled" : "paused"} />
                    </td>
                    <td>
                      <Button onClick={() => setSelected(flow.id)} aria-pressed={selected === flow.id}>
                        Runs
                      </Button>
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </QueryView>
      </Card>
      {selected ? <FlowRuns key={selected} flowId={selected} /> : null}
    </>
  );
}

function FlowRuns(props: { flowId: string }) {
  const client = useClient();
  const action = useAction();
  const [openRun, setOpenRun] = useState<string | null>(null);
  const runs = useQuery(
    `flow-runs:${props.flowId}`,
    async (c) =>
      (await c.get("/v1/flows/:id/runs", { params: { id: props.flowId }, query: { limit: 20 } })).data,
    3_000,
  );
  const rows = useQuery(`flow-rows:${openRun ?? ""}`, async (c) =>
    openRun
      ? (
          await c.get("/v1/flows/:id/runs/:run_id/rows", {
            params: { id: props.flowId, run_id: openRun },
            query: { status: "failed", limit: 100 },
          })
        ).data
      : null,
  );
  return (
    <Card
      title="Flow runs"
      actions={
        <Button
          variant="primary"
          busy={action.pending}
          onClick={() =>
            void action.run(async () => {
              await client.post("/v1/flows/:id/run", { params: { id: props.flowId } });
              runs.reload();
            })
          }
        >
          Run now
        </Button>
      }
    >
      <ErrorBox error={action.error} />
      <QueryView query={runs}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No runs yet" />
          ) : (
            <Table
              label="Flow runs"
              head={["Run", "Status", "Started", "Read", "Created", "Updated", "Conflicts", "Failed", ""]}
            >
              {list.map((run) => (
                <tr key={run.id}>
                  <td className="mono">
                    {shortId(run.id)}
                    <div className="muted small">{run.trigger}</div>
                  </td>
                  <td>
                    <Badge status={run.status} />
                    {run.error ? <div className="small error-text">{run.error}</div> : null}
                  </td>
                  <td>{ago(run.started_at)}</td>
                  <td className="num">{count(run.counts.read)}</td>
                  <td className="num">{count(run.counts.created)}</td>
                  <td className="num">{count(run.counts.updated)}</td>
                  <td className="num">{count(run.counts.conflicts)}</td>
                  <td className="num">{count(run.counts.failed)}</td>
                  <td>
                    {run.counts.failed > 0 ? (
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
      {openRun ? (
        <QueryView query={rows}>
          {(list) => (
            <Table label="Failed flow rows" head={["Side", "Record", "Operation", "Message"]}>
              {(list ?? []).map((row) => (
                <tr key={`${row.side}:${row.pk}:${row.at}`}>
                  <td>{row.side}</td>
                  <td className="mono">{row.pk}</td>
                  <td>{row.operation}</td>
                  <td className="wrap error-text">{row.message}</td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      ) : null}
    </Card>
  );
}
