/**
 * Webhooks: what providers sent (inbound events, how each was routed to connections, the receiving URL per
 * provider), and what Switchyard sends (outbound endpoints, each delivery's attempts, replay).
 */
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import type { WebhookDelivery, WebhookEndpoint } from "../api.ts";
import {
  Badge,
  Button,
  Card,
  CopyField,
  Dialog,
  Empty,
  ErrorBox,
  Json,
  PageHeader,
  QueryView,
  Select,
  Table,
  Tabs,
  TextInput,
  Toolbar,
} from "../components/ui.tsx";
import { ago, dateTime, shortId } from "../format.ts";
import { useAction, useQuery } from "../hooks.ts";
import { providerName, useProviders } from "../lookups.ts";
import { useClient } from "../session.tsx";

const EVENT_STATUSES = ["received", "syncing", "processed", "ignored", "unroutable", "failed"] as const;

export function WebhooksPage() {
  const [tab, setTab] = useState<"inbound" | "outbound">("inbound");
  return (
    <>
      <PageHeader
        title="Webhooks"
        subtitle="Events providers send in, and events Switchyard sends to your endpoints."
      />
      <Tabs
        label="Webhook direction"
        value={tab}
        onChange={setTab}
        tabs={[
          { value: "inbound", label: "Inbound events" },
          { value: "outbound", label: "Outbound endpoints" },
        ]}
      />
      {tab === "inbound" ? <Inbound /> : <Outbound />}
    </>
  );
}

function Inbound() {
  const providers = useProviders();
  const [status, setStatus] = useState("");
  const [provider, setProvider] = useState("");
  const events = useQuery(
    `webhook-events:${status}:${provider}`,
    async (client) =>
      (
        await client.get("/v1/webhook-events", {
          query: {
            limit: 100,
            ...(status ? { status: status as (typeof EVENT_STATUSES)[number] } : {}),
            ...(provider ? { provider } : {}),
          },
        })
      ).data,
    5_000,
  );
  const settings = useQuery("webhook-settings", async (client) => {
    const list = (await client.get("/v1/providers")).data;
    const found = await Promise.all(
      list.map((item) =>
        client.get("/v1/webhook-settings/:provider", { params: { provider: item.name } }).then(
          (value) => value,
          () => null,
        ),
      ),
    );
    return found.filter((value) => value !== null);
  });
  return (
    <>
      <Card title="Events received">
        <Toolbar>
          <Select
            label="Provider"
            value={provider}
            onChange={setProvider}
            options={[
              { value: "", label: "All providers" },
              ...(providers.data ?? []).map((item) => ({ value: item.name, label: item.display_name })),
            ]}
          />
          <Select
            label="Status"
            value={status}
            onChange={setStatus}
            options={[
              { value: "", label: "All statuses" },
              ...EVENT_STATUSES.map((value) => ({ value, label: value })),
            ]}
          />
        </Toolbar>
        <QueryView query={events}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No inbound events">
                Providers' webhooks appear here once they arrive at the URLs below.
              </Empty>
            ) : (
              <Table
                label="Inbound events"
                head={["Received", "Provider", "Event", "Record", "Status", "Routed to"]}
              >
                {list.map((event) => (
                  <tr key={event.id}>
                    <td>{ago(event.received_at)}</td>
                    <td>{providerName(providers.data, event.provider)}</td>
                    <td>
                      {event.type}
                      <div className="muted small">{event.action}</div>
                    </td>
                    <td className="mono">
                      {event.stream ?? "—"} {event.record_id ?? ""}
                    </td>
                    <td>
                      <Badge status={event.status} />
                      {event.error ? <div className="small error-text">{event.error}</div> : null}
                    </td>
                    <td>
                      {event.connection_ids.length === 0 ? (
                        <span className="muted">no connection</span>
                      ) : (
                        event.connection_ids.map((id) => (
                          <div key={id}>
                            <Link to={`/connections/${id}`} className="mono">
                              {shortId(id)}
                            </Link>
                          </div>
                        ))
                      )}
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </QueryView>
      </Card>
      <Card title="Receiving URLs">
        <QueryView query={settings}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No provider takes webhooks" />
            ) : (
              <Table
                label="Inbound webhook settings"
                head={["Provider", "URL to register", "Signature", "Secret"]}
              >
                {list.map((item) => (
                  <tr key={item.provider}>
                    <td>{providerName(providers.data, item.provider)}</td>
                    <td className="mono wrap">{item.url}</td>
                    <td>{item.scheme}</td>
                    <td>
                      {item.secret_set ? (
                        <Badge status="enabled" label="set" />
                      ) : (
                        <Badge status="needs_reauth" label="not set" />
                      )}
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </QueryView>
      </Card>
    </>
  );
}

function Outbound() {
  const client = useClient();
  const endpoints = useQuery(
    "webhook-endpoints",
    async (c) => (await c.get("/v1/webhook-endpoints", { query: { limit: 100 } })).data,
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  const create = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const created = await client.post("/v1/webhook-endpoints", { body: { url } });
      setSecret(created.secret);
      setUrl("");
      endpoints.reload();
    });
  };
  return (
    <>
      <Card title="Endpoints">
        <form className="inline-form" onSubmit={create}>
          <TextInput
            label="Endpoint URL"
            value={url}
            onChange={setUrl}
            placeholder="https://example.com/hooks"
            type="url"
          />
          <Button type="submit" variant="primary" busy={action.pending}>
            Add endpoint
          </Button>
        </form>
        <ErrorBox error={action.error} />
        <QueryView query={endpoints}>
          {(list) =>
            list.length === 0 ? (
              <Empty title="No endpoints">
                Add one to receive sync.completed, sync.failed, records.changed… as signed webhooks.
              </Empty>
            ) : (
              <Table label="Webhook endpoints" head={["URL", "Events", "State", ""]}>
                {list.map((endpoint) => (
                  <tr key={endpoint.id} className={selected === endpoint.id ? "selected" : undefined}>
                    <td className="mono wrap">{endpoint.url}</td>
                    <td>{endpoint.event_types?.join(", ") ?? "all"}</td>
                    <td>
                      <Badge status={endpoint.enabled ? "enabled" : "disabled"} />
                      {endpoint.disabled_reason ? (
                        <div className="small muted">{endpoint.disabled_reason}</div>
                      ) : null}
                    </td>
                    <td>
                      <Button onClick={() => setSelected(endpoint.id)}>Deliveries</Button>
                    </td>
                  </tr>
                ))}
              </Table>
            )
          }
        </QueryView>
      </Card>
      {selected ? (
        <Deliveries
          key={selected}
          endpoint={endpoints.data?.find((item) => item.id === selected)}
          endpointId={selected}
        />
      ) : null}
      <Dialog
        open={secret !== null}
        title="Endpoint signing secret"
        onClose={() => setSecret(null)}
        actions={<Button onClick={() => setSecret(null)}>Done</Button>}
      >
        <p>Verify deliveries with this secret (Standard Webhooks). It is shown only now.</p>
        {secret ? <CopyField label="Signing secret" value={secret} /> : null}
      </Dialog>
    </>
  );
}

function Deliveries(props: { endpointId: string; endpoint: WebhookEndpoint | undefined }) {
  const client = useClient();
  const action = useAction();
  const [open, setOpen] = useState<WebhookDelivery | null>(null);
  const deliveries = useQuery(
    `deliveries:${props.endpointId}`,
    async (c) =>
      (
        await c.get("/v1/webhook-endpoints/:id/deliveries", {
          params: { id: props.endpointId },
          query: { limit: 100 },
        })
      ).data,
    5_000,
  );
  const detail = useQuery(`delivery:${open?.id ?? ""}`, async (c) =>
    open ? c.get("/v1/webhook-deliveries/:id", { params: { id: open.id } }) : null,
  );
  return (
    <Card title={`Delivery log · ${props.endpoint?.url ?? props.endpointId}`}>
      <ErrorBox error={action.error} />
      <QueryView query={deliveries}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No deliveries yet" />
          ) : (
            <Table label="Deliveries" head={["Event", "Status", "Attempts", "Response", "When", ""]}>
              {list.map((delivery) => (
                <tr key={delivery.id}>
                  <td>
                    {delivery.event_type}
                    {delivery.replay_of ? <div className="muted small">replay</div> : null}
                  </td>
                  <td>
                    <Badge status={delivery.status} />
                  </td>
                  <td className="num">{delivery.attempts}</td>
                  <td>{delivery.last_response_status ?? "—"}</td>
                  <td>{ago(delivery.created_at)}</td>
                  <td className="row-actions">
                    <Button onClick={() => setOpen(delivery)}>Attempts</Button>
                    <Button
                      onClick={() =>
                        void action.run(async () => {
                          await client.post("/v1/webhook-deliveries/:id/replay", {
                            params: { id: delivery.id },
                          });
                          deliveries.reload();
                        })
                      }
                    >
                      Replay
                    </Button>
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryView>
      <Dialog
        open={open !== null}
        title={`Delivery ${open?.id ?? ""}`}
        onClose={() => setOpen(null)}
        actions={<Button onClick={() => setOpen(null)}>Close</Button>}
      >
        <QueryView query={detail}>
          {(data) =>
            data ? (
              <>
                <ol className="attempts">
                  {data.attempts_log.map((attempt) => (
                    <li key={attempt.attempt}>
                      Attempt {attempt.attempt} at {dateTime(attempt.started_at)}:{" "}
                      {attempt.response_status ?? attempt.error ?? "no response"} ({attempt.latency_ms} ms)
                    </li>
                  ))}
                </ol>
                <Json value={safeParse(data.request_body)} label="Request body" />
              </>
            ) : null
          }
        </QueryView>
      </Dialog>
    </Card>
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
