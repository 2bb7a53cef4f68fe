/** Connections: search and filter by provider, end user and status; each row opens its detail page. */
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import type { Connection } from "../api.ts";
import {
  Badge,
  Card,
  Empty,
  MoreButton,
  PageHeader,
  QueryView,
  Select,
  Table,
  TextInput,
  Toolbar,
} from "../components/ui.tsx";
import { ago } from "../format.ts";
import { useQuery } from "../hooks.ts";
import { endUserLabel, providerName, useProviders } from "../lookups.ts";

const STATUSES = ["active", "needs_reauth", "paused", "error"] as const;
type Status = (typeof STATUSES)[number];

export function ConnectionsPage() {
  const [params, setParams] = useSearchParams();
  const provider = params.get("provider") ?? "";
  const status = params.get("status") ?? "";
  const endUser = params.get("end_user") ?? "";
  const [search, setSearch] = useState("");
  const [pages, setPages] = useState(1);
  const providers = useProviders();

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setPages(1);
  };

  const connections = useQuery(
    `connections:${provider}:${status}:${endUser}:${pages}`,
    async (client) => {
      const items: Connection[] = [];
      let cursor: string | undefined;
      let next: string | null = null;
      for (let page = 0; page < pages; page++) {
        const result = await client.get("/v1/connections", {
          query: {
            limit: 50,
            ...(provider ? { provider } : {}),
            ...(status ? { status: status as Status } : {}),
            ...(endUser ? { end_user_id: endUser } : {}),
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
    5_000,
  );

  const shown = useMemo(() => {
    const term = search.trim().toLowerCase();
    const items = connections.data?.items ?? [];
    if (!term) return items;
    return items.filter((connection) =>
      [
        connection.id,
        connection.provider,
        providerName(providers.data, connection.provider),
        connection.end_user.id,
        connection.end_user.email,
        connection.end_user.organization,
        ...connection.tags,
      ].some((value) => value?.toLowerCase().includes(term)),
    );
  }, [connections.data, search, providers.data]);

  return (
    <>
      <PageHeader title="Connections" subtitle="Your customers' authorised accounts, one per provider." />
      <Card>
        <Toolbar>
          <TextInput label="Search" value={search} onChange={setSearch} placeholder="Name, email, id, tag…" />
          <Select
            label="Provider"
            value={provider}
            onChange={(value) => setFilter("provider", value)}
            options={[
              { value: "", label: "All providers" },
              ...(providers.data ?? []).map((item) => ({ value: item.name, label: item.display_name })),
            ]}
          />
          <Select
            label="Status"
            value={status}
            onChange={(value) => setFilter("status", value)}
            options={[
              { value: "", label: "All statuses" },
              ...STATUSES.map((value) => ({ value, label: value.replace("_", " ") })),
            ]}
          />
          <TextInput
            label="End user id"
            value={endUser}
            onChange={(value) => setFilter("end_user", value)}
            placeholder="customer-42"
          />
        </Toolbar>
        <QueryView query={connections} label="Loading connections…">
          {(data) =>
            shown.length === 0 ? (
              <Empty title={data.items.length === 0 ? "No connections yet" : "No connection matches"}>
                {data.items.length === 0
                  ? "Connections appear when your customers connect an account through the Connect page."
                  : "Change the search or the filters."}
              </Empty>
            ) : (
              <>
                <p className="count" aria-live="polite">
                  {shown.length} connection{shown.length === 1 ? "" : "s"}
                </p>
                <Table
                  label="Connections"
                  head={["End user", "Provider", "Status", "Last problem", "Created"]}
                >
                  {shown.map((connection) => (
                    <tr key={connection.id}>
                      <td>
                        <Link to={`/connections/${connection.id}`} className="primary-link">
                          {endUserLabel(connection)}
                        </Link>
                        <div className="muted small">
                          {connection.end_user.email ?? connection.end_user.id}
                        </div>
                      </td>
                      <td>{providerName(providers.data, connection.provider)}</td>
                      <td>
                        <Badge status={connection.status} />
                      </td>
                      <td className="wrap">
                        {connection.last_error?.message ?? <span className="muted">—</span>}
                      </td>
                      <td>{ago(connection.created_at)}</td>
                    </tr>
                  ))}
                </Table>
                <MoreButton hasMore={data.hasMore} onMore={() => setPages((value) => value + 1)} />
              </>
            )
          }
        </QueryView>
      </Card>
    </>
  );
}
