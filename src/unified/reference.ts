/**
 * Renders docs/unified-models.md, the model reference, from the schemas themselves (through their JSON
 * Schema), so the doc cannot drift from what the API validates. `print-reference.ts` prints it.
 */
import type { z } from "zod";
import { readExamples, writeExamples } from "./crm/examples.ts";
import { DetailErrorResponse, WriteErrorResponse } from "./crm/index.ts";
import { type JsonSchema, toJsonSchema, unifiedModels } from "./registry.ts";

interface Definition {
  type?: string | string[];
  anyOf?: Definition[];
  items?: Definition;
  $ref?: string;
  format?: string;
  maxLength?: number;
  enum?: unknown[];
  description?: string;
  properties?: Record<string, Definition>;
  required?: string[];
}

/** Every definition the schemas use, by id (`crm.Account`), in the order first met. */
class Definitions {
  readonly byId = new Map<string, Definition>();
  private readonly rendered = new Set<string>();

  /** Adds the definitions of `schema`, and returns the id of its root. */
  add(schema: z.ZodType, io: "input" | "output"): string {
    const converted = toJsonSchema(schema, io) as JsonSchema & {
      $ref?: string;
      $defs?: Record<string, Definition>;
    };
    for (const [id, definition] of Object.entries(converted.$defs ?? {})) {
      if (!this.byId.has(id)) this.byId.set(id, definition);
    }
    return converted.$ref?.replace("#/$defs/", "") ?? "";
  }

  /** The section of `id`, once: later calls return nothing. */
  section(id: string, note = ""): string {
    const definition = this.byId.get(id);
    if (!definition || this.rendered.has(id)) return "";
    this.rendered.add(id);
    const intro = [definition.description, note].filter(Boolean).join(" ");
    const body = definition.enum
      ? definition.enum.map((value) => `\`${String(value)}\``).join(" ")
      : table(definition);
    return [`### ${displayName(id)}`, "", intro, "", body, ""].join("\n");
  }

  /** Sections of every definition not rendered yet (objects or enums), by name. */
  remaining(kind: "objects" | "enums"): string[] {
    return [...this.byId.entries()]
      .filter(([, definition]) => (kind === "enums") === Boolean(definition.enum))
      .map(([id]) => id)
      .sort((a, b) => displayName(a).localeCompare(displayName(b)))
      .map((id) => this.section(id));
  }
}

function displayName(id: string): string {
  return id.replace(/^crm\./, "");
}

/** A property's type in words, and whether it admits null. */
function describeType(property: Definition): { text: string; nullable: boolean } {
  if (property.$ref) {
    const name = displayName(property.$ref.replace("#/$defs/", ""));
    return { text: `[${name}](#${name.toLowerCase()})`, nullable: false };
  }
  if (property.anyOf) {
    const branches = property.anyOf.filter((branch) => branch.type !== "null").map(describeType);
    const nullable = branches.length < property.anyOf.length || branches.some((branch) => branch.nullable);
    return { text: branches.map((branch) => branch.text).join(" or "), nullable };
  }
  const types = [property.type ?? []].flat();
  const nullable = types.includes("null");
  const type = types.find((candidate) => candidate !== "null");
  if (type === undefined) return { text: "any", nullable };
  if (type === "array") return { text: `array of ${describeType(property.items ?? {}).text}`, nullable };
  if (property.enum)
    return { text: property.enum.map((value) => `\`${String(value)}\``).join(", "), nullable };
  if (property.format === "date-time") return { text: "datetime", nullable };
  if (property.maxLength) return { text: `${type} (at most ${property.maxLength} characters)`, nullable };
  return { text: type, nullable };
}

/** The table of an object's fields. */
function table(definition: Definition): string {
  const required = new Set(definition.required ?? []);
  const rows = Object.entries(definition.properties ?? {}).map(([field, property]) => {
    const { text, nullable } = describeType(property);
    const flags = [required.has(field) && "required", nullable && "nullable"].filter(Boolean).join(", ");
    return `| \`${field}\` | ${text} | ${flags} | ${property.description ?? ""} |`;
  });
  return ["| Field | Type | Flags | Description |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

function jsonBlock(value: unknown): string {
  return ["```json", JSON.stringify(value, null, 2), "```", ""].join("\n");
}

const HEADER = `# Unified models reference

<!-- Generated from the zod schemas in src/unified by \`npx tsx src/unified/print-reference.ts > docs/unified-models.md\`.
     Do not edit by hand: a test fails when this file differs from what the script prints. -->

The unified API speaks Merge's Common Models on the wire: the same model names, field names (snake_case),
enums and envelopes, so Merge's SDKs read and write them unchanged. This page lists every field as the
schemas in \`src/unified\` validate it.

Conventions, as in Merge's API:
- No field of a model is required; a field marked *nullable* may also be \`null\`.
- Datetimes are ISO 8601 strings with a time zone (\`2025-03-02T17:40:12Z\`).
- A reference (\`owner\`, \`account\`, \`stage\`) is the other object's \`id\`, or the object itself when the
  request asks for it with \`expand\`.
- \`remote_data\` holds the provider's raw payloads, \`remote_fields\` its fields (custom ones included), and
  \`field_mappings\` the values of the field mappings that apply.
- A write sends its fields under \`model\` and gets back \`{model, warnings, errors, logs}\`.
- Lists answer \`{next, previous, results}\`; pass \`next\` as \`cursor\` to get the next page.
`;

export function renderModelReference(): string {
  const definitions = new Definitions();
  const parts = [HEADER, "## CRM models", ""];
  for (const model of unifiedModels) {
    const id = definitions.add(model.schema, "output");
    definitions.add(model.list, "output");
    parts.push(definitions.section(id, `Endpoints: \`${model.path}\`.`));
    if (readExamples[model.name]) parts.push("Example:", "", jsonBlock(readExamples[model.name]));
    if (!model.writes) continue;
    definitions.add(model.writes.response, "output");
    const createId = definitions.add(model.writes.create, "input");
    const patchId = definitions.add(model.writes.patch, "input");
    definitions.add(model.writes.createBody, "input");
    definitions.add(model.writes.patchBody, "input");
    parts.push(definitions.section(createId, `The \`model\` of a POST to \`${model.path}\`.`));
    if (writeExamples[model.name])
      parts.push("Example POST body:", "", jsonBlock({ model: writeExamples[model.name] }));
    parts.push(definitions.section(patchId, `The \`model\` of a PATCH to \`${model.path}/{id}\`.`));
  }
  definitions.add(WriteErrorResponse, "output");
  definitions.add(DetailErrorResponse, "output");
  parts.push("## Shared shapes and envelopes", "", ...definitions.remaining("objects"));
  parts.push("## Enums", "", ...definitions.remaining("enums"));
  return `${parts
    .join("\n")
    .replaceAll(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
