import { type ProviderDefinition, SwitchyardError } from "../core/index.ts";
import { hubspot } from "./hubspot/index.ts";

/** Every built-in provider. Adding a provider is one line here. */
export const providers: Readonly<Record<string, ProviderDefinition>> = {
  hubspot,
};

/** Looks a provider up by name; throws a clear error listing the known ones. */
export function getProvider(name: string): ProviderDefinition {
  const provider = providers[name];
  if (!provider) {
    throw new SwitchyardError("unknown_provider", `There is no provider "${name}".`, {
      hint: `Use one of: ${Object.keys(providers).join(", ")}.`,
    });
  }
  return provider;
}
