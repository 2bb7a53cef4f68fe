/**
 * Test helper (not shipped behaviour): walks the emulator's consent screen without a browser — loads the
 * authorize URL, answers the form, and returns where HubSpot would send the browser next.
 */

/** Follows an authorize URL through the consent form; resolves with the redirect (code & state, or error). */
export async function approveInEmulator(authorizeUrl: string, approve = true): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  const consent = /name="consent" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !consent) throw new Error(`No consent screen (HTTP ${page.status}): ${html}`);
  const decision = await fetch(new URL("/oauth/authorize/decision", authorizeUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ consent, decision: approve ? "allow" : "deny" }).toString(),
    redirect: "manual",
  });
  const location = decision.headers.get("location");
  if (decision.status !== 302 || !location) throw new Error(`No redirect (HTTP ${decision.status})`);
  return new URL(location);
}

/** Posts a form to the token endpoint and returns the status and JSON body. */
export async function postTokenForm(
  baseUrl: string,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/oauth/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
