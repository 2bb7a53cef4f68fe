/**
 * The JSON body parser: Fastify's own (which refuses `__proto__` and `constructor.prototype` keys), behind
 * a nesting limit, with errors that say what was wrong. Deeply nested JSON would otherwise overflow the
 * stack of whatever walks it next (validation, serialisation) and surface as a 500.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { SwitchyardError } from "../core/index.ts";

/** Deepest nesting of objects and arrays a body may have; no API body comes near it. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON text (objects and arrays), scanning outside strings; stops early past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92 /* \ */) i++;
      else if (char === 34 /* " */) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 123 /* { */ || char === 91 /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === 125 /* } */ || char === 93 /* ] */) depth--;
  }
  return deepest;
}

/** Replaces the `application/json` parser of `app` with the bounded one. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string" },
    (
      request: FastifyRequest,
      body: string | Buffer,
      done: (error: Error | null, value?: unknown) => void,
    ) => {
      const text = typeof body === "string" ? body : body.toString("utf8");
      if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        done(
          new SwitchyardError(
            "body_malformed",
            `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`,
            { hint: "Send a flatter JSON document; no field of this API needs that much nesting." },
          ),
        );
        return;
      }
      parse(request, text, (error, value) => {
        // Fastify's parser fails the same way for bad syntax and for forbidden keys: valid JSON it refused
        // can only have had a forbidden key.
        if (error && text.length > 0 && isPlainJson(text)) {
          done(
            new SwitchyardError(
              "body_malformed",
              "The request body has a `__proto__` or `constructor` key.",
              {
                hint: "Those keys are refused in every JSON body; rename or remove the field.",
              },
            ),
          );
        } else done(error, value);
      });
    },
  );
}

function isPlainJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
