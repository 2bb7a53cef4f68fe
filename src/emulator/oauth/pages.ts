/**
 * The HTML of the emulated install flow: a consent screen with Authorize and Cancel, and an error page for
 * requests the provider would refuse. Self-contained (inline styles), so it works offline.
 */
import type { OAuthServerConfig } from "./config.ts";
import type { PendingConsent } from "./state.ts";

type Branding = OAuthServerConfig["page"];

function style(accent: string): string {
  return `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f8fa;color:#33475b}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.25rem}ul{padding-left:1.25rem}code{font-size:.9em}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1.5rem}
button{font:inherit;min-height:44px;padding:.5rem 1.25rem;border-radius:4px;border:1px solid #cbd6e2;cursor:pointer}
button[value=allow]{background:${accent};border-color:${accent};color:#fff;font-weight:600}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function page(branding: Branding, title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${title} — ${branding.providerName} (emulator)`)}</title><style>${style(branding.accentColor)}</style></head>
<body><main>${body}</main></body></html>`;
}

/** The consent screen for a held request; the form posts the user's answer to `decisionPath`. */
export function consentPage(
  branding: Branding,
  decisionPath: string,
  consentId: string,
  consent: PendingConsent,
): string {
  const name = consent.app.name ?? `App ${consent.app.clientId}`;
  const scopes = consent.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("");
  return page(
    branding,
    `Install ${name}`,
    `<h1>Connect ${escapeHtml(name)} to your ${escapeHtml(branding.providerName)} account</h1>
<p>Account: <strong>${escapeHtml(branding.accountLabel)}</strong></p>
<p>${escapeHtml(name)} is asking for:</p><ul>${scopes}</ul>
<form method="post" action="${escapeHtml(decisionPath)}">
<input type="hidden" name="consent" value="${escapeHtml(consentId)}">
<div class="actions"><button type="submit" name="decision" value="allow">Authorize</button>
<button type="submit" name="decision" value="deny">Cancel</button></div></form>`,
  );
}

/** The page shown when the authorize URL itself is wrong. */
export function authorizeErrorPage(branding: Branding, problem: string): string {
  return page(branding, "Authorization error", `<h1>Something went wrong</h1><p>${escapeHtml(problem)}</p>`);
}
