/** Runs as a table: status, connection, when, how long, and what they moved. */
import { Link } from "react-router";
import type { Connection, Provider, Run } from "../api.ts";
import { ago, count, runDuration, shortId } from "../format.ts";
import { endUserLabel, providerName } from "../lookups.ts";
import { Badge, Table } from "./ui.tsx";

export function RunsTable(props: {
  runs: Run[];
  connections?: Connection[] | undefined;
  providers?: Provider[] | undefined;
  showConnection?: boolean;
}) {
  const byId = new Map((props.connections ?? []).map((connection) => [connection.id, connection]));
  const head = [
    "Run",
    ...(props.showConnection === false ? [] : ["Connection"]),
    "Status",
    "Started",
    "Duration",
    "Added",
    "Updated",
    "Deleted",
    "Requests",
  ];
  return (
    <Table label="Runs" head={head}>
      {props.runs.map((run) => {
        const connection = byId.get(run.connection_id);
        return (
          <tr key={run.id} data-run-id={run.id}>
            <td>
              <Link to={`/runs/${run.id}`} className="primary-link mono">
                {shortId(run.id)}
              </Link>
              {run.full_refresh ? <div className="muted small">full refresh</div> : null}
            </td>
            {props.showConnection === false ? null : (
              <td>
                {connection ? (
                  <Link to={`/connections/${connection.id}`}>
                    {endUserLabel(connection)} · {providerName(props.providers, connection.provider)}
                  </Link>
                ) : (
                  <span className="mono">{shortId(run.connection_id)}</span>
                )}
              </td>
            )}
            <td>
              <Badge status={run.status} />
              {run.error ? <div className="small error-text">{run.error.message}</div> : null}
            </td>
            <td>{ago(run.started_at)}</td>
            <td>{runDuration(run)}</td>
            <td className="num">{count(run.stats.records_added)}</td>
            <td className="num">{count(run.stats.records_updated)}</td>
            <td className="num">{count(run.stats.records_deleted)}</td>
            <td className="num">{count(run.stats.requests)}</td>
          </tr>
        );
      })}
    </Table>
  );
}
