/**
 * `defineStream`: a declared stream spec, checked now, as a StreamDefinition whose read() is the kit's
 * shared reader. Hand-written StreamDefinitions sit beside it for what cannot be declared.
 */
import type { StreamDefinition } from "../../core/index.ts";
import { parseDeclaration } from "./declaration.ts";
import { deletedFieldOf } from "./delete-rule.ts";
import { type Clock, readDeclaredStream } from "./reader.ts";
import { kitStateSchema } from "./state.ts";
import { type StreamSpec, streamSpecSchema } from "./stream-spec.ts";

export interface DefineStreamOptions {
  /** When a pass starts (tests pin it). Default: the system clock. */
  now?: Clock;
  /** The provider declaring the stream, to name it in errors (`acme.users`). */
  provider?: string;
}

/** The stream a spec declares; throws ConfigError naming every wrong field when the spec is not valid. */
export function defineStream(spec: StreamSpec, options: DefineStreamOptions = {}): StreamDefinition {
  const name = typeof spec === "object" && spec !== null && typeof spec.name === "string" ? spec.name : "?";
  const qualified = options.provider === undefined ? name : `${options.provider}.${name}`;
  const stream = parseDeclaration(streamSpecSchema, spec, `Stream "${qualified}"`);
  const now = options.now ?? (() => new Date());
  const deletedField = stream.deleted ? deletedFieldOf(stream.deleted) : undefined;
  // The `_deleted` flag is not declared: destinations keep deletion in their own `_deleted` metadata column
  // (filled from `deletedField`) and refuse a declared column of that name.
  const columns = { ...stream.schema.columns };
  return {
    name: stream.name,
    primaryKey: stream.primaryKey,
    ...(stream.incremental ? { cursorField: stream.incremental.cursorField } : {}),
    ...(deletedField ? { deletedField } : {}),
    schema: { columns },
    stateSchema: kitStateSchema,
    read: (ctx) => readDeclaredStream(stream, ctx, now),
  };
}
