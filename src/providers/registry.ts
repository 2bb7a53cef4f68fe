import type { ProviderDefinition } from "../core/index.ts";
import { hubspot } from "./hubspot/index.ts";
import { pipedrive } from "./pipedrive/index.ts";
import { salesforce } from "./salesforce/index.ts";

/** Every built-in provider. Adding a provider is one line here; look one up with `findProvider` (app/platform.ts). */
export const providers: Readonly<Record<string, ProviderDefinition>> = {
  hubspot,
  pipedrive,
  salesforce,
};
