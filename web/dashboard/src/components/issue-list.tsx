/** Issues as a list: cause, who it affects, what happened and what to do, how often and since when. */
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { Issue, Provider } from "../api.ts";
import { ago } from "../format.ts";
import { endUserLabel, providerName } from "../lookups.ts";
import { Badge } from "./ui.tsx";

export const CAUSE_LABELS: Record<Issue["cause"], string> = {
  auth_failed: "Auth failed",
  rate_limited: "Rate limited",
  provider_down: "Provider down",
  schema_change: "Schema change",
  other: "Other",
};

export function IssueList(props: {
  issues: Issue[];
  providers: Provider[] | undefined;
  actions?: (issue: Issue) => ReactNode;
  showConnection?: boolean;
}) {
  return (
    <ul className="issue-list">
      {props.issues.map((issue) => (
        <li key={issue.id} data-issue-id={issue.id}>
          <div className="issue-head">
            <Badge
              status={issue.status === "resolved" ? "resolved" : issue.cause}
              label={CAUSE_LABELS[issue.cause]}
            />
            {issue.muted ? <Badge status="muted" /> : null}
            {issue.status === "resolved" ? <Badge status="resolved" /> : null}
            <strong>{issue.title}</strong>
          </div>
          {props.showConnection === false ? null : (
            <div className="small">
              <Link to={`/connections/${issue.connection_id}`} className="primary-link">
                {endUserLabel({ id: issue.connection_id, end_user: issue.end_user })} ·{" "}
                {providerName(props.providers, issue.provider)}
              </Link>
              {issue.stream ? <span className="mono"> · {issue.stream}</span> : null}
            </div>
          )}
          <p className="small">{issue.detail}</p>
          {issue.hint ? <p className="small hint">What to do: {issue.hint}</p> : null}
          <div className="muted small">
            {issue.occurrences} occurrence{issue.occurrences === 1 ? "" : "s"} · first seen{" "}
            {ago(issue.first_seen_at)} · last seen {ago(issue.last_seen_at)}
            {issue.last_run_id ? (
              <>
                {" · "}
                <Link to={`/runs/${issue.last_run_id}`}>last failed run</Link>
              </>
            ) : null}
          </div>
          {props.actions ? <div className="actions">{props.actions(issue)}</div> : null}
        </li>
      ))}
    </ul>
  );
}
