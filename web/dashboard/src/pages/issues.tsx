/**
 * Issues, like Merge's: ongoing problems grouped by connection, each with its cause (auth failed, rate
 * limited, provider down, schema change), what to do, and mute / unmute. A later successful run resolves one.
 */
import { useState } from "react";
import type { Issue } from "../api.ts";
import { CAUSE_LABELS, IssueList } from "../components/issue-list.tsx";
import {
  Button,
  ButtonLink,
  Card,
  Empty,
  ErrorBox,
  PageHeader,
  QueryView,
  Select,
  Toolbar,
} from "../components/ui.tsx";
import { useAction, useQuery } from "../hooks.ts";
import { endUserLabel, providerName, useProviders } from "../lookups.ts";
import { useClient } from "../session.tsx";

export function IssuesPage() {
  const client = useClient();
  const providers = useProviders();
  const action = useAction();
  const [status, setStatus] = useState<"open" | "resolved" | "any">("open");
  const [muted, setMuted] = useState<"false" | "true" | "any">("false");
  const [cause, setCause] = useState("");
  const issues = useQuery(
    `issues:${status}:${muted}:${cause}`,
    async (c) => {
      const found: Issue[] = [];
      for await (const issue of c.list("/v1/issues", {
        query: { status, muted, limit: 200, ...(cause ? { cause: cause as Issue["cause"] } : {}) },
      })) {
        found.push(issue);
        if (found.length >= 1_000) break;
      }
      return found;
    },
    5_000,
  );
  const toggleMute = (issue: Issue) =>
    void action.run(async () => {
      await client.post(issue.muted ? "/v1/issues/:id/unmute" : "/v1/issues/:id/mute", {
        params: { id: issue.id },
      });
      issues.reload();
    });

  return (
    <>
      <PageHeader
        title="Issues"
        subtitle="Ongoing problems of your connections, by connection and cause. A successful run resolves them."
      />
      <Card>
        <Toolbar>
          <Select
            label="Status"
            value={status}
            onChange={(value) => setStatus(value as typeof status)}
            options={[
              { value: "open", label: "Open" },
              { value: "resolved", label: "Resolved" },
              { value: "any", label: "Open and resolved" },
            ]}
          />
          <Select
            label="Cause"
            value={cause}
            onChange={setCause}
            options={[
              { value: "", label: "All causes" },
              ...Object.entries(CAUSE_LABELS).map(([value, label]) => ({ value, label })),
            ]}
          />
          <Select
            label="Muted"
            value={muted}
            onChange={(value) => setMuted(value as typeof muted)}
            options={[
              { value: "false", label: "Hide muted" },
              { value: "true", label: "Muted only" },
              { value: "any", label: "Show muted" },
            ]}
          />
        </Toolbar>
        <ErrorBox error={action.error} />
      </Card>
      <QueryView query={issues} label="Loading issues…">
        {(list) => {
          if (list.length === 0) {
            return (
              <Card>
                <Empty title={status === "open" ? "No open issues" : "No issues match"}>
                  {status === "open" ? "Every connection is healthy." : "Change the filters."}
                </Empty>
              </Card>
            );
          }
          const byConnection = new Map<string, Issue[]>();
          for (const issue of list)
            byConnection.set(issue.connection_id, [...(byConnection.get(issue.connection_id) ?? []), issue]);
          return [...byConnection].map(([connectionId, group]) => {
            const first = group[0] as Issue;
            return (
              <Card
                key={connectionId}
                title={`${endUserLabel({ id: connectionId, end_user: first.end_user })} · ${providerName(providers.data, first.provider)}`}
                actions={<ButtonLink to={`/connections/${connectionId}`}>Open connection</ButtonLink>}
              >
                <IssueList
                  issues={group}
                  providers={providers.data}
                  showConnection={false}
                  actions={(issue) => (
                    <Button variant="ghost" onClick={() => toggleMute(issue)}>
                      {issue.muted ? "Unmute" : "Mute"}
                    </Button>
                  )}
                />
              </Card>
            );
          });
        }}
      </QueryView>
    </>
  );
}
