/** The page the OAuth2 callback answers with: connected, or what went wrong and what to do (HTML-escaped). */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export type ConnectResult =
  | { ok: true; providerName: string }
  | { ok: false; title: string; message: string; hint?: string | undefined };

/** A complete HTML document in the Connect page's style, announcing the result to screen readers. */
export function resultPage(result: ConnectResult): string {
  const title = result.ok ? `${result.providerName} is connected` : result.title;
  const body = result.ok
    ? `<p>Your ${escapeHtml(result.providerName)} account is connected. You can close this window and go back to the app.</p>`
    : `<p>${escapeHtml(result.message)}</p>${result.hint ? `<p class="hint">${escapeHtml(result.hint)}</p>` : ""}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} — Connect</title>
  <link rel="stylesheet" href="/connect/connect.css">
</head>
<body>
  <main class="card" aria-labelledby="result-title">
    <div class="state ${result.ok ? "state-success" : "state-error"}" role="${result.ok ? "status" : "alert"}" data-testid="${result.ok ? "connect-success" : "connect-error"}">
      <h1 id="result-title">${escapeHtml(title)}</h1>
      ${body}
    </div>
  </main>
</body>
</html>
`;
}
