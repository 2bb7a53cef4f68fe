/**
 * `defineProvider`: a provider as a declaration — auth, base URL, rate-limit headers, streams and the check
 * call — checked when the module loads. Streams may be declared specs (read by the kit's reader) or
 * hand-written StreamDefinitions (the escape hatch for what cannot be declared), mixed freely.
 */
import { z } from "zod";
import type {
  AuthScheme,
  CredentialField,
  OAuth2Definition,
  ProviderDefinition,
  RateLimitHeaderSpec,
  StreamDefinition,
} from "../../core/index.ts";
import { ConfigError } from "../../core/index.ts";
import { checkCall } from "./check.ts";
import { parseDeclaration } from "./declaration.ts";
import { type DefineStreamOptions, defineStream } from "./define-stream.ts";
import { type RequestSpec, requestSpecSchema } from "./request.ts";
import type { StreamSpec } from "./stream-spec.ts";

export interface ProviderSpec {
  /** Registry key (`pipedrive`). */
  name: string;
  displayName: string;
  baseUrl: string;
  auth: AuthScheme;
  credentialFields?: readonly CredentialField[];
  oauth2?: OAuth2Definition;
  rateLimit?: RateLimitHeaderSpec;
  /** The request that proves credentials (`{ path: "/v1/users/me" }`). */
  check: RequestSpec;
  streams: readonly (StreamSpec | StreamDefinition)[];
}

const headerName = z.string().regex(/^[a-z0-9-]+$/, "must be a lower-case header name");

const providerHeadSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be lower case letters, digits and _"),
  displayName: z.string().min(1),
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  auth: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("bearer") }),
    z.strictObject({ type: z.literal("api_key"), in: z.enum(["header", "query"]), name: z.string().min(1) }),
    z.strictObject({ type: z.literal("basic") }),
  ]),
  rateLimit: z
    .strictObject({
      limit: headerName.optional(),
      remaining: headerName.optional(),
      windowMsHeader: headerName.optional(),
      reset: z.strictObject({ header: headerName, format: z.enum(["seconds", "unix_seconds"]) }).optional(),
      windowMs: z.number().int().positive().optional(),
      usage: z
        .strictObject({
          header: headerName,
          pattern: z
            .string()
            .refine(
              (pattern) => /\(\?<used>/.test(pattern) && /\(\?<limit>/.test(pattern),
              "needs the named groups used and limit",
            ),
        })
        .optional(),
      refusal: z
        .strictObject({ status: z.number().int().min(400).max(599), bodyIncludes: z.string().min(1) })
        .optional(),
      fixed: z
        .array(
          z.strictObject({
            method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).optional(),
            pathPattern: z.string().refine(isRegExp, "must be a valid regular expression"),
            limit: z.number().int().positive(),
            windowMs: z.number().int().positive(),
          }),
        )
        .optional(),
    })
    .optional(),
  check: requestSpecSchema,
  streams: z.array(z.unknown()).min(1, "declare at least one stream"),
});

/** The provider a spec declares; throws ConfigError naming every wrong field when it is not valid. */
export function defineProvider(spec: ProviderSpec, options: DefineStreamOptions = {}): ProviderDefinition {
  const what = `Provider "${typeof spec?.name === "string" ? spec.name : "?"}"`;
  const head = parseDeclaration(providerHeadSchema, spec, what);
  const streamOptions = { ...options, provider: head.name };
  const streams = spec.streams.map((stream) =>
    isHandWritten(stream) ? stream : defineStream(stream, streamOptions),
  );
  const duplicate = streams.find((stream, i) => streams.findIndex((s) => s.name === stream.name) !== i);
  if (duplicate) {
    throw new ConfigError(
      `${what} declares stream "${duplicate.name}" twice.`,
      "Give every stream of a provider its own name.",
    );
  }
  return {
    name: head.name,
    displayName: head.displayName,
    baseUrl: head.baseUrl,
    auth: spec.auth,
    ...(spec.credentialFields ? { credentialFields: spec.credentialFields } : {}),
    ...(spec.oauth2 ? { oauth2: spec.oauth2 } : {}),
    ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
    streams,
    checkCredentials: checkCall(head.check),
  };
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function isHandWritten(stream: StreamSpec | StreamDefinition): stream is StreamDefinition {
  return typeof (stream as Partial<StreamDefinition>).read === "function";
}
