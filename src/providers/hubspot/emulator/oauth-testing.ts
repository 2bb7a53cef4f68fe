/** Test helpers for HubSpot's emulated OAuth flow: the kit's, with HubSpot's token path. */
import { postTokenForm } from "../../../emulator/testing.ts";
import { HUBSPOT_TOKEN_PATH } from "./oauth.ts";

export { approveInEmulator } from "../../../emulator/testing.ts";

/** Posts a form to HubSpot's token endpoint and returns the status and JSON body. */
export function postHubSpotTokenForm(baseUrl: string, form: Record<string, string>) {
  return postTokenForm(`${baseUrl}${HUBSPOT_TOKEN_PATH}`, form);
}
