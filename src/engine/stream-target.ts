import type { StreamDefinition, StreamTarget } from "../core/index.ts";

/** Where a provider's stream lands: the cache and every destination name its table `<provider>_<stream>`. */
export function streamTargetOf(provider: string, stream: StreamDefinition): StreamTarget {
  return {
    provider,
    stream: stream.name,
    table: `${provider}_${stream.name}`,
    primaryKey: stream.primaryKey,
    schema: stream.schema,
  };
}
