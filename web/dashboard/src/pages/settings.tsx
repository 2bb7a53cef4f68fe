/**
 * Settings: the environment's API keys (a new key's secret is shown once; revoking asks first), and field
 * mappings, picking a provider's remote field from what the connection's records hold.
 */
import { type FormEvent, useState } from "react";
import type { ApiKey } from "../api.ts";
import {
  Badge,
  Button,
  Card,
  ConfirmDialog,
  CopyField,
  Dialog,
  Empty,
  ErrorBox,
  Field,
  PageHeader,
  QueryView,
  Select,
  Table,
  TextInput,
} from "../components/ui.tsx";
import { ago } from "../format.ts";
import { useAction, useQuery } from "../hooks.ts";
import { endUserLabel, providerName, useConnectionList, useProviders } from "../lookups.ts";
import { useClient } from "../session.tsx";

export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" subtitle="API keys and field mappings of this environment." />
      <ApiKeys />
      <FieldMappings />
    </>
  );
}

function ApiKeys() {
  const client = useClient();
  const keys = useQuery(
    "api-keys",
    async (c) => (await c.get("/v1/api-keys", { query: { include_revoked: true, limit: 200 } })).data,
  );
  const [name, setName] = useState("");
  const [admin, setAdmin] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const action = useAction();
  const create = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const key = await client.post("/v1/api-keys", { body: { name: name.trim(), admin } });
      setCreated(key.secret);
      setName("");
      keys.reload();
    });
  };
  return (
    <Card title="API keys">
      <form className="inline-form" onSubmit={create}>
        <TextInput label="Key name" value={name} onChange={setName} placeholder="backend production" />
        <label className="checkbox">
          <input type="checkbox" checked={admin} onChange={(event) => setAdmin(event.target.checked)} /> Admin
          (manages environments)
        </label>
        <Button type="submit" variant="primary" busy={action.pending && !revoking} disabled={!name.trim()}>
          Create key
        </Button>
      </form>
      {!revoking ? <ErrorBox error={action.error} /> : null}
      <QueryView query={keys}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No keys" />
          ) : (
            <Table label="API keys" head={["Name", "Prefix", "Created", "Last used", "State", ""]}>
              {list.map((key) => (
                <tr key={key.id}>
                  <td>
                    {key.name}
                    {key.admin ? <span className="muted small"> · admin</span> : null}
                  </td>
                  <td className="mono">{key.prefix}…</td>
                  <td>{ago(key.created_at)}</td>
                  <td>{ago(key.last_used_at)}</td>
                  <td>{key.revoked_at ? <Badge status="revoked" /> : <Badge status="active" />}</td>
                  <td>
                    {key.revoked_at ? null : (
                      <Button variant="danger" onClick={() => setRevoking(key)}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryView>
      <Dialog
        open={created !== null}
        title="Your new API key"
        onClose={() => setCreated(null)}
        actions={<Button onClick={() => setCreated(null)}>I have saved it</Button>}
      >
        <p>Copy it now: Switchyard keeps only its hash and cannot show it again.</p>
        {created ? <CopyField label="API key" value={created} /> : null}
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke "${revoking?.name ?? ""}"?`}
        confirmLabel="Revoke key"
        busy={action.pending}
        error={action.error}
        onClose={() => {
          setRevoking(null);
          action.clear();
        }}
        onConfirm={() =>
          void action.run(async () => {
            if (!revoking) return;
            await client.delete("/v1/api-keys/:id", { params: { id: revoking.id } });
            setRevoking(null);
            keys.reload();
          })
        }
      >
        <p>Requests with this key are refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </Card>
  );
}

function FieldMappings() {
  const client = useClient();
  const providers = useProviders();
  const connections = useConnectionList();
  const mappings = useQuery("field-mappings", async (c) => (await c.get("/v1/field-mappings")).data);
  const [connectionId, setConnectionId] = useState("");
  const chosen = connectionId || connections.data?.[0]?.id || "";
  const connection = connections.data?.find((item) => item.id === chosen);
  // The provider's fields, read with the API key (no account token needed).
  const remote = useQuery(`remote-fields:${chosen}`, async (c) =>
    chosen ? (await c.get("/v1/connections/:id/remote-fields", { params: { id: chosen } })).data : null,
  );
  const [model, setModel] = useState("");
  const [field, setField] = useState("");
  const [target, setTarget] = useState("");
  const [scope, setScope] = useState<"connection" | "provider">("connection");
  const action = useAction();
  const models = (remote.data ?? []).map((entry) => entry.model);
  const chosenModel = model || models[0] || "";
  const remoteModel = remote.data?.find((entry) => entry.model === chosenModel);
  const fields = remoteModel?.fields ?? [];
  const picked = fields.find((item) => item.key === field) ?? fields[0];

  const create = (event: FormEvent) => {
    event.preventDefault();
    if (!picked || !connection) return;
    void action.run(async () => {
      await client.post("/v1/field-mappings", {
        body: {
          ...(scope === "connection" ? { connection_id: connection.id } : { provider: connection.provider }),
          common_model_name: chosenModel,
          target_field_name: target.trim(),
          remote_field_traversal_path: picked.path,
          remote_method: "GET",
          remote_url_path: remoteModel?.url_path ?? "",
        },
      });
      setTarget("");
      mappings.reload();
    });
  };

  return (
    <Card title="Field mappings">
      <QueryView query={mappings}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No field mappings">Map a provider's field onto a Common Model field below.</Empty>
          ) : (
            <Table label="Field mappings" head={["Model", "Target field", "Remote field", "Applies to", ""]}>
              {list.map((mapping) => (
                <tr key={mapping.id}>
                  <td>{mapping.common_model_name}</td>
                  <td className="mono">{mapping.target_field_name}</td>
                  <td className="mono">
                    {[mapping.remote_field_traversal_path].flat().join(".")}
                    <div className="muted small">
                      {mapping.remote_method} {mapping.remote_url_path}
                    </div>
                  </td>
                  <td>
                    {mapping.connection_id
                      ? `connection ${mapping.connection_id.slice(0, 12)}…`
                      : `every ${providerName(providers.data, mapping.provider)} connection`}
                  </td>
                  <td>
                    <Button
                      variant="ghost"
                      onClick={() =>
                        void action.run(async () => {
                          await client.delete("/v1/field-mappings/:id", { params: { id: mapping.id } });
                          mappings.reload();
                        })
                      }
                    >
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </QueryView>
      <h3>New mapping</h3>
      <div className="toolbar">
        <Select
          label="Connection (for its remote fields)"
          value={chosen}
          onChange={(value) => {
            setConnectionId(value);
            setModel("");
            setField("");
          }}
          options={(connections.data ?? []).map((item) => ({
            value: item.id,
            label: `${endUserLabel(item)} · ${providerName(providers.data, item.provider)}`,
          }))}
        />
      </div>
      {!chosen ? (
        <Empty title="No connections yet">Remote fields come from a connection's synced records.</Empty>
      ) : (
        <QueryView query={remote} label="Loading the provider's fields…">
          {(found) =>
            !found || found.length === 0 ? (
              <Empty title="No remote fields yet">
                They come from the connection's synced records: trigger its sync, then come back.
              </Empty>
            ) : (
              <form className="inline-form" onSubmit={create}>
                <Select
                  label="Common Model"
                  value={chosenModel}
                  onChange={(value) => {
                    setModel(value);
                    setField("");
                  }}
                  options={models.map((value) => ({ value, label: value }))}
                />
                <Select
                  label="Remote field"
                  value={picked?.key ?? ""}
                  onChange={setField}
                  options={fields.map((item) => ({ value: item.key, label: item.key }))}
                />
                <TextInput
                  label="Target field name"
                  value={target}
                  onChange={setTarget}
                  placeholder="favorite_color"
                />
                <Field label="Applies to">
                  {(id) => (
                    <select
                      id={id}
                      value={scope}
                      onChange={(event) => setScope(event.target.value as typeof scope)}
                    >
                      <option value="connection">This connection</option>
                      <option value="provider">Every connection of the provider</option>
                    </select>
                  )}
                </Field>
                <Button
                  type="submit"
                  variant="primary"
                  busy={action.pending}
                  disabled={!picked || !target.trim()}
                >
                  Add mapping
                </Button>
              </form>
            )
          }
        </QueryView>
      )}
      <ErrorBox error={action.error} />
    </Card>
  );
}
