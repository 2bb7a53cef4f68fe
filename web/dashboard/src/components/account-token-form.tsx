/** Asks for a connection's account token, which the unified API needs beside the API key. */
import { type FormEvent, useState } from "react";
import { rememberAccountToken } from "../account-tokens.ts";
import { Button, Field } from "./ui.tsx";

export function AccountTokenForm(props: { connectionId: string; onSet(token: string): void }) {
  const [token, setToken] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!token.trim()) return;
    rememberAccountToken(props.connectionId, token.trim());
    props.onSet(token.trim());
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <Field
        label="Account token"
        hint="The connection's X-Account-Token (given when it was created); kept in this tab's memory only."
      >
        {(id) => (
          <input
            id={id}
            type="password"
            autoComplete="off"
            value={token}
            placeholder="sy_acct_…"
            onChange={(event) => setToken(event.target.value)}
          />
        )}
      </Field>
      <Button type="submit">Use token</Button>
    </form>
  );
}
