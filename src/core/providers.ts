import { SwitchyardError } from "./errors.ts";
import type { ProviderDefinition } from "./types.ts";

/** Looks a provider up in `providers`; throws unknown_provider naming the known ones. */
export function findProvider(
  providers: Readonly<Record<string, ProviderDefinition>>,
  name: string,
): ProviderDefinition {
  const provider = Object.hasOwn(providers, name) ? providers[name] : undefined;
  if (!provider) {
    throw new SwitchyardError("unknown_provider", `There is no provider "${name}".`, {
      hint: `Use one of: ${Object.keys(providers).join(", ")}.`,
      details: { provider: name },
    });
  }
  return provider;
}
