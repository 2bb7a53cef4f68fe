/**
 * The OpenAPI 3.1 document, built from the same route contracts and zod schemas that validate requests.
 * Schemas given an id with `.meta({ id })` become shared components; request-side variants that differ from
 * the response side (defaults, coercion) get an `Input` suffix.
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { problemSchema, STATUS_BY_CODE } from "./problem.ts";
import { type AnyRoute, frameworkErrors } from "./route.ts";

type JsonSchema = Record<string, unknown>;
type Io = "input" | "output";

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  tags: { name: string }[];
}

/** Collects shared schemas and converts zod schemas to JSON Schema that references them. */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: Io): JsonSchema {
    const converted = z.toJSONSchema(schema, {
      io,
      unrepresentable: "any",
      target: "draft-2020-12",
    }) as JsonSchema;
    const {
      $schema: _ignored,
      $defs,
      ...root
    } = converted as JsonSchema & { $defs?: Record<string, JsonSchema> };
    const names = new Map<string, string>();
    for (const [id, def] of Object.entries($defs ?? {})) names.set(id, this.nameFor(id, io, def));
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value === null || typeof value !== "object") return value;
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        if (key === "$ref" && typeof inner === "string" && inner.startsWith("#/$defs/")) {
          const id = inner.slice("#/$defs/".length);
          out[key] = `#/components/schemas/${names.get(id) ?? id}`;
        } else out[key] = rewrite(inner);
      }
      return out;
    };
    for (const [id, def] of Object.entries($defs ?? {})) {
      this.components[names.get(id) ?? id] = rewrite(def) as JsonSchema;
    }
    return rewrite(root) as JsonSchema;
  }

  /** Output schemas claim the plain id (they are converted first); a differing input variant is `<id>Input`. */
  private nameFor(id: string, io: Io, def: JsonSchema): string {
    const existing = this.components[id];
    if (io === "output" || existing === undefined) return id;
    return isDeepStrictEqual(stripRefs(existing), stripRefs(def)) ? id : `${id}Input`;
  }
}

/** Refs differ only in their prefix between a stored component and a fresh def; compare without them. */
function stripRefs(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll(/"#\/(\$defs|components\/schemas)\//g, '"#/'));
}

/** `/v1/connections/:id` → `/v1/connections/{id}`. */
export function openApiPath(url: string): string {
  return url.replaceAll(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function parameters(collector: SchemaCollector, route: AnyRoute): unknown[] {
  const list: unknown[] = [];
  for (const [location, schema] of [
    ["path", route.params],
    ["query", route.query],
    ["header", route.headers],
  ] as const) {
    if (!schema) continue;
    for (const [name, field] of Object.entries(schema.shape)) {
      const fieldSchema = field as z.ZodType;
      const json = collector.convert(fieldSchema, "input");
      const { description, ...rest } = json;
      list.push({
        name,
        in: location,
        required: location === "path" || !fieldSchema.safeParse(undefined).success,
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
      });
    }
  }
  return list;
}

function responses(collector: SchemaCollector, route: AnyRoute): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(route.response)) {
    out[status] = {
      description: "Success",
      content: { "application/json": { schema: collector.convert(schema, "output") } },
    };
  }
  const codesByStatus = new Map<number, Set<string>>();
  for (const code of [...route.errors, ...frameworkErrors(route)]) {
    const status = STATUS_BY_CODE[code];
    codesByStatus.set(status, (codesByStatus.get(status) ?? new Set()).add(code));
  }
  const errorContent = route.errorBody
    ? { "application/json": { schema: collector.convert(route.errorBody, "output") } }
    : { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };
  for (const [status, codes] of [...codesByStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: `${route.errorBody ? "Error" : "Problem"}: ${[...codes].join(", ")}`,
      content: errorContent,
    };
  }
  return out;
}

/** What each kind of route auth asks for, as security requirements of the schemes below. */
const SECURITY: Record<AnyRoute["auth"], Record<string, string[]>[]> = {
  public: [],
  api_key: [{ apiKey: [] }],
  account_token: [{ apiKey: [], accountToken: [] }],
};

function operation(collector: SchemaCollector, route: AnyRoute): Record<string, unknown> {
  const params = parameters(collector, route);
  return {
    operationId: route.name,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [...route.tags],
    security: SECURITY[route.auth],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.safeParse(undefined).success,
            content: {
              "application/json": {
                schema: collector.convert(route.body, "input"),
                ...(route.example?.body !== undefined ? { example: route.example.body } : {}),
              },
            },
          },
        }
      : {}),
    responses: responses(collector, route),
  };
}

/** Builds the OpenAPI 3.1 document of these routes. Deterministic: the same routes give the same document. */
export function buildOpenApiDocument(routes: readonly AnyRoute[]): OpenApiDocument {
  const collector = new SchemaCollector();
  collector.convert(problemSchema, "output");
  // Response schemas first, so that shared components carry their response-side shape under the plain id.
  for (const route of routes)
    for (const schema of Object.values(route.response)) collector.convert(schema, "output");
  const paths: OpenApiDocument["paths"] = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(collector, route) };
  }
  const tags = [...new Set(routes.flatMap((route) => route.tags))].map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    info: {
      title: "Switchyard API",
      version: "0.1.0",
      description:
        "The platform API of Switchyard. Authenticate with `Authorization: Bearer <API key>`; a key sees only " +
        "its own environment. Errors are RFC 9457 problem details with a stable `code`.",
    },
    paths,
    components: {
      schemas: collector.components,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "A secret API key of one environment (`sy_<environment>_…`).",
        },
        accountToken: {
          type: "apiKey",
          in: "header",
          name: "X-Account-Token",
          description:
            "The account token of one connection (`sy_acct_…`), as Merge's `X-Account-Token`: the unified API's " +
            "linked account, in the API key's environment.",
        },
      },
    },
    tags,
  };
}
