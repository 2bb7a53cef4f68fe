/**
 * One run: its stats, a chart over its time, the error with what to do about it, and its log lines with a
 * level filter and a search. Updates live while the run is running.
 */
import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import type { Client, LogLine, Run, RunTimeline } from "../api.ts";
import { RunChart } from "../components/run-chart.tsx";
import {
  Badge,
  Card,
  Empty,
  PageHeader,
  QueryView,
  Select,
  Stat,
  Stats,
  TextInput,
  Toolbar,
} from "../components/ui.tsx";
import { bytes, count, dateTime, duration, runDuration } from "../format.ts";
import { useQuery } from "../hooks.ts";

const LEVELS = ["debug", "info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];
/** The most log lines a page loads (a run's log can be long; the CLI reads the rest). */
const MAX_LINES = 5_000;

async function allLogs(client: Client, id: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await client.get("/v1/runs/:id/logs", {
      params: { id },
      query: { level: "debug", limit: 1_000, ...(after !== undefined ? { after } : {}) },
    });
    lines.push(...page.data);
    if (!page.has_more || lines.length >= MAX_LINES) return lines;
    after = page.next_after;
  }
}

export function RunDetailPage() {
  const { id = "" } = useParams();
  const [live, setLive] = useState(true);
  const run = useQuery(
    `run:${id}`,
    async (client) => {
      const found = await client.get("/v1/runs/:id", { params: { id } });
      if (found.status !== "running") setLive(false);
      return found;
    },
    live ? 2_000 : undefined,
  );
  const logs = useQuery(`run-logs:${id}`, (client) => allLogs(client, id), live ? 2_000 : undefined);
  const timeline = useQuery(
    `run-timeline:${id}`,
    (client) => client.get("/v1/runs/:id/timeline", { params: { id } }),
    live ? 2_000 : undefined,
  );
  return (
    <QueryView query={run} label="Loading the run…">
      {(data) => <RunView run={data} logs={logs.data} logsError={logs.error} timeline={timeline.data} />}
    </QueryView>
  );
}

function RunView(props: {
  run: Run;
  logs: LogLine[] | undefined;
  logsError: unknown;
  timeline: RunTimeline | undefined;
}) {
  const { run } = props;
  const { stats } = run;
  const buckets = props.timeline?.data ?? [];
  return (
    <>
      <PageHeader
        title={
          <>
            Run <span className="mono">{run.id}</span> <Badge status={run.status} />
          </>
        }
        subtitle={
          <>
            <Link to={`/connections/${run.connection_id}`}>Connection {run.connection_id}</Link> · started{" "}
            {dateTime(run.started_at)}
            {run.full_refresh ? " · full refresh" : ""}
          </>
        }
      />
      {run.error ? (
        <section className="state state-error" role="alert" aria-label="Run error">
          <strong>{run.error.message}</strong>
          {run.error.hint ? <p className="hint">What to do: {run.error.hint}</p> : null}
          <p className="muted small">code {run.error.code}</p>
        </section>
      ) : null}
      <Card title="Stats">
        <Stats>
          <Stat label="Duration" value={run.finished_at ? duration(stats.duration_ms) : runDuration(run)} />
          <Stat label="Records added" value={count(stats.records_added)} tone="good" />
          <Stat label="Updated" value={count(stats.records_updated)} />
          <Stat label="Unchanged" value={count(stats.records_unchanged)} />
          <Stat label="Deleted" value={count(stats.records_deleted)} />
          <Stat label="Requests" value={count(stats.requests)} />
          <Stat label="Pages" value={count(stats.pages)} />
          <Stat
            label="Retries"
            value={count(stats.retries)}
            {...(stats.retries ? { tone: "warn" as const } : {})}
          />
          <Stat
            label="Rate-limit waits"
            value={`${count(stats.rate_limit_waits)} (${duration(stats.rate_limit_wait_ms)})`}
          />
          <Stat label="Data read" value={bytes(stats.bytes)} />
        </Stats>
      </Card>
      <Card title="Over the run's time">
        {buckets.length > 0 ? <RunChart buckets={buckets} /> : <Empty title="No activity recorded yet" />}
      </Card>
      <LogCard logs={props.logs} error={props.logsError} />
    </>
  );
}

function LogCard(props: { logs: LogLine[] | undefined; error: unknown }) {
  const [level, setLevel] = useState<Level>("info");
  const [search, setSearch] = useState("");
  const shown = useMemo(() => {
    const floor = LEVELS.indexOf(level);
    const term = search.trim().toLowerCase();
    return (props.logs ?? []).filter(
      (line) =>
        LEVELS.indexOf(line.level) >= floor &&
        (!term ||
          line.message.toLowerCase().includes(term) ||
          JSON.stringify(line.fields ?? {})
            .toLowerCase()
            .includes(term)),
    );
  }, [props.logs, level, search]);
  return (
    <Card title="Log">
      <Toolbar>
        <Select
          label="Level"
          value={level}
          onChange={(value) => setLevel(value as Level)}
          options={LEVELS.map((value) => ({ value, label: `${value} and above` }))}
        />
        <TextInput
          label="Search the log"
          value={search}
          onChange={setSearch}
          placeholder="contacts, 429, retry…"
        />
      </Toolbar>
      <QueryView
        query={{ data: props.logs, error: props.error, loading: props.logs === undefined, reload: () => {} }}
      >
        {() =>
          shown.length === 0 ? (
            <Empty title="No log line matches" />
          ) : (
            <ol className="log" aria-label="Log lines">
              {shown.map((line) => (
                <li key={line.seq} className={`log-line log-${line.level}`}>
                  <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString("en-GB")}</time>
                  <span className={`level level-${line.level}`}>{line.level}</span>
                  <span className="message">{line.message}</span>
                  {line.fields && Object.keys(line.fields).length > 0 ? (
                    <code className="fields">{JSON.stringify(line.fields)}</code>
                  ) : null}
                </li>
              ))}
            </ol>
          )
        }
      </QueryView>
      <p className="muted small">
        {shown.length} of {props.logs?.length ?? 0} lines
      </p>
    </Card>
  );
}
