/** Sign-in: an environment API key, checked against the API before it is kept for the tab's session. */
import { type FormEvent, useState } from "react";
import { clientFor } from "../api.ts";
import { Button, ErrorBox, Field } from "../components/ui.tsx";

export function SignInPage(props: { onSignIn(apiKey: string): void }) {
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const key = apiKey.trim();
    if (!key) return;
    setBusy(true);
    setError(undefined);
    try {
      await clientFor(key).get("/v1/connections", { query: { limit: 1 } });
      props.onSignIn(key);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={submit}>
        <div className="brand">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span>Switchyard</span>
        </div>
        <h1>Sign in to the dashboard</h1>
        <p className="subtitle">
          Use an environment API key. <code>npm start</code> saved the dev key in{" "}
          <code>.switchyard/dev-api-key</code>. The key stays in this tab only.
        </p>
        <Field label="API key">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={apiKey}
              onChange={(event) => setApiKey(event.target.value)}
              placeholder="sy_dev_…"
              required
            />
          )}
        </Field>
        <ErrorBox error={error} />
        <Button type="submit" variant="primary" busy={busy}>
          Sign in
        </Button>
      </form>
    </main>
  );
}
