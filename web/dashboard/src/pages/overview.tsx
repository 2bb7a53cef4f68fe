/**
 * Overview: connections by provider and status, the last 24 hours of runs (succeeded / failed), records
 * synced over time, and the open issues. Refreshes every few seconds.
 */
import { lazy, Suspense } from "react";
import { Link } from "react-router";
import { IssueList } from "../components/issue-list.tsx";
import {
  ButtonLink,
  Card,
  Empty,
  Loading,
  PageHeader,
  QueryView,
  Stat,
  Stats,
  Table,
} from "../components/ui.tsx";
import { count } from "../format.ts";
import { useQuery } from "../hooks.ts";
import { providerName, useProviders } from "../lookups.ts";

const STATUSES = ["active", "needs_reauth", "paused", "error"] as const;

// The charting library is most of the dashboard's code: the figures show first, the chart when it has loaded.
const RecordsChart = lazy(() =>
  import("../components/records-chart.tsx").then((m) => ({ default: m.RecordsChart })),
);

export function OverviewPage() {
  const providers = useProviders();
  const overview = useQuery("overview", (client) => client.get("/v1/overview"), 5_000);
  const issues = useQuery(
    "overview-issues",
    async (client) => (await client.get("/v1/issues", { query: { limit: 5 } })).data,
    5_000,
  );
  return (
    <>
      <PageHeader title="Overview" subtitle="Your integrations at a glance: the last 24 hours." />
      <QueryView query={overview} label="Loading the overview…">
        {(data) => {
          const records = data.records.series.reduce(
            (total, bucket) => total + bucket.added + bucket.updated + bucket.deleted,
            0,
          );
          return (
            <>
              <Card title="Last 24 hours">
                <Stats>
                  <Stat label="Connections" value={count(data.connections.total)} />
                  <Stat label="Runs succeeded" value={count(data.runs.succeeded)} tone="good" />
                  <Stat
                    label="Runs failed"
                    value={count(data.runs.failed)}
                    {...(data.runs.failed ? { tone: "bad" as const } : {})}
                  />
                  <Stat label="Running now" value={count(data.runs.running)} />
                  <Stat label="Records synced" value={count(records)} />
                  <Stat
                    label="Open issues"
                    value={count(data.issues.open)}
                    {...(data.issues.open ? { tone: "bad" as const } : {})}
                  />
                </Stats>
              </Card>
              <div className="grid-2">
                <Card title="Connections by provider and status">
                  {data.connections.by_provider.length === 0 ? (
                    <Empty title="No connections yet">
                      They appear when your customers connect an account through the Connect page.
                    </Empty>
                  ) : (
                    <Table
                      label="Connections by provider"
                      head={["Provider", ...STATUSES.map((status) => status.replace("_", " ")), "Total"]}
                    >
                      {data.connections.by_provider.map((row) => (
                        <tr key={row.provider} data-provider={row.provider}>
                          <td>
                            <Link to={`/connections?provider=${row.provider}`}>
                              {providerName(providers.data, row.provider)}
                            </Link>
                          </td>
                          {STATUSES.map((status) => (
                            <td key={status} className="num">
                              {row.by_status[status] ? (
                                <Link to={`/connections?provider=${row.provider}&status=${status}`}>
                                  {row.by_status[status]}
                                </Link>
                              ) : (
                                <span className="muted">0</span>
                              )}
                            </td>
                          ))}
                          <td className="num">{row.total}</td>
                        </tr>
                      ))}
                    </Table>
                  )}
                </Card>
                <Card title="Records synced per hour">
                  <figure className="chart" aria-label="Records synced per hour">
                    <Suspense fallback={<Loading label="Loading the chart…" />}>
                      <RecordsChart series={data.records.series} />
                    </Suspense>
                  </figure>
                </Card>
              </div>
            </>
          );
        }}
      </QueryView>
      <Card title="Current issues" actions={<ButtonLink to="/issues">All issues</ButtonLink>}>
        <QueryView query={issues}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No open issues">Every connection is healthy.</Empty>
            ) : (
              <IssueList issues={list} providers={providers.data} />
            )
          }
        </QueryView>
      </Card>
    </>
  );
}
