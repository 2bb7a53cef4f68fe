/** Runs: every run of the environment, newest first, filtered by status and connection; live while running. */
import { useState } from "react";
import { useSearchParams } from "react-router";
import type { Run } from "../api.ts";
import { RunsTable } from "../components/runs-table.tsx";
import { Card, Empty, MoreButton, PageHeader, QueryView, Select, Toolbar } from "../components/ui.tsx";
import { useQuery } from "../hooks.ts";
import { endUserLabel, providerName, useConnectionList, useProviders } from "../lookups.ts";

const STATUSES = ["running", "succeeded", "failed"] as const;

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const connectionId = params.get("connection_id") ?? "";
  const [pages, setPages] = useState(1);
  const providers = useProviders();
  const connections = useConnectionList();

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setPages(1);
  };

  const runs = useQuery(
    `runs:${status}:${connectionId}:${pages}`,
    async (client) => {
      const items: Run[] = [];
      let cursor: string | undefined;
      let next: string | null = null;
      for (let page = 0; page < pages; page++) {
        const result = await client.get("/v1/runs", {
          query: {
            limit: 50,
            ...(status ? { status: status as (typeof STATUSES)[number] } : {}),
            ...(connectionId ? { connection_id: connectionId } : {}),
            ...(cursor ? { cursor } : {}),
          },
        });
        items.push(...result.data);
        next = result.next_cursor;
        if (!next) break;
        cursor = next;
      }
      return { items, hasMore: next !== null };
    },
    3_000,
  );

  return (
    <>
      <PageHeader
        title="Runs"
        subtitle="Each execution of a sync, with what it moved. Running ones update live."
      />
      <Card>
        <Toolbar>
          <Select
            label="Status"
            value={status}
            onChange={(value) => setFilter("status", value)}
            options={[
              { value: "", label: "All statuses" },
              ...STATUSES.map((value) => ({ value, label: value })),
            ]}
          />
          <Select
            label="Connection"
            value={connectionId}
            onChange={(value) => setFilter("connection_id", value)}
            options={[
              { value: "", label: "All connections" },
              ...(connections.data ?? []).map((connection) => ({
                value: connection.id,
                label: `${endUserLabel(connection)} · ${providerName(providers.data, connection.provider)}`,
              })),
            ]}
          />
        </Toolbar>
        <QueryView query={runs} label="Loading runs…">
          {(data) =>
            data.items.length === 0 ? (
              <Empty title={status || connectionId ? "No run matches" : "No runs yet"}>
                {status || connectionId
                  ? "Change the filters."
                  : "Runs appear when a sync runs: on its schedule, or when you trigger it from a connection."}
              </Empty>
            ) : (
              <>
                <RunsTable runs={data.items} connections={connections.data} providers={providers.data} />
                <MoreButton hasMore={data.hasMore} onMore={() => setPages((value) => value + 1)} />
              </>
            )
          }
        </QueryView>
      </Card>
    </>
  );
}
