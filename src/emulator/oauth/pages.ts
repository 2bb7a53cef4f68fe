/**
 * The HTML of the emulated install flow: a consent screen with Authorize and Cancel, and an error page for
 * requests HubSpot would refuse. Self-contained (inline styles), so it works offline.
 */
import type { PendingConsent } from "./oauth-state.ts";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f8fa;color:#33475b}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.25rem}ul{padding-left:1.25rem}code{font-size:.9em}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.5rem}
button{font:inherit;min-height:44px;padding:.5rem 1.25rem;border-radius:4px;border:1px solid #cbd6e2;cursor:pointer}
button[value=allow]{background:#ff7a59;border-color:#ff7a59;color:#fff;font-weight:600}`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** The consent screen for a held request; the form posts the user's answer to `/oauth/authorize/decision`. */
export function consentPage(consentId: string, consent: PendingConsent): string {
  const name = consent.app.name ?? `App ${consent.app.clientId}`;
  const scopes = consent.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("");
  return page(
    `Install ${name} — HubSpot (emulator)`,
    `<h1>Connect ${escapeHtml(name)} to your HubSpot account</h1>
<p>Account: <strong>Emulated HubSpot account</strong> (Hub ID 1)</p>
<p>${escapeHtml(name)} is asking for:</p><ul>${scopes}</ul>
<form method="post" action="/oauth/authorize/decision">
<input type="hidden" name="consent" value="${escapeHtml(consentId)}">
<div class="actions"><button type="submit" name="decision" value="allow">Authorize</button>
<button type="submit" name="decision" value="deny">Cancel</button></div></form>`,
  );
}

/** The page HubSpot shows when the install URL itself is wrong. */
export function authorizeErrorPage(problem: string): string {
  return page(
    "Authorization error — HubSpot (emulator)",
    `<h1>Something went wrong</h1><p>${escapeHtml(problem)}</p>`,
  );
}
