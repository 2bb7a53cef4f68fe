/**
 * The seams of Switchyard, as types only (no I/O here).
 * A stream yields pages; a destination writes a batch and says when it is committed; the engine moves state.
 */

import type { CreatedRecordChecks } from "./created-records.ts";
import type { ProviderWebhooks } from "./webhooks.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One record as a stream yields it: a flat-ish object whose top-level keys become columns. */
export type SyncRecord = Record<string, unknown>;

/** Column types a stream schema declares; each destination maps them to its own types. */
export type ColumnType = "string" | "integer" | "number" | "boolean" | "timestamp" | "json";

export interface StreamSchema {
  /** Declared columns. Fields a provider adds later are still kept (destinations evolve their tables). */
  columns: Record<string, ColumnType>;
}

/** A stream's own cursor checkpoint. Opaque to the engine; must be JSON. */
export type StreamState = JsonObject;

/** What a stream yields: some records, and where to resume once they are committed. */
export interface StreamPage {
  records: SyncRecord[];
  /** State after this page. Saved only once every destination committed this page and all before it. */
  state: StreamState;
}

// ---------------------------------------------------------------------------------------------------------
// Logging and HTTP events

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface RunLogger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Everything the HTTP client does that a run should see, as structured events. */
export type HttpEvent =
  | {
      type: "request";
      method: string;
      /** URL with secrets redacted. */
      url: string;
      status: number;
      durationMs: number;
      bytes: number;
      attempt: number;
    }
  | { type: "retry"; method: string; url: string; attempt: number; delayMs: number; reason: string }
  | { type: "rate_limit_wait"; account: string; delayMs: number; reason: string };

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

export interface HttpRequest {
  method?: HttpMethod;
  /** Path relative to the client's base URL, or an absolute URL (for next-page links). */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpResponse<T = unknown> {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON body (or undefined for empty bodies). */
  body: T;
  bytes: number;
  /** Final URL with secrets redacted. */
  url: string;
}

export interface HttpClient {
  /**
   * Sends one request with auth, rate-limit pacing and retries.
   * Resolves with a 2xx response whose body is parsed JSON; anything else throws a SwitchyardError.
   */
  request<T = unknown>(request: HttpRequest, options?: { signal?: AbortSignal }): Promise<HttpResponse<T>>;
}

// ---------------------------------------------------------------------------------------------------------
// Providers

export type AuthScheme =
  | { type: "bearer" }
  | { type: "api_key"; in: "header" | "query"; name: string }
  | { type: "basic" };

/** OAuth2 tokens of one connection. `expiresAt` (ISO-8601) is absent when the provider gave no lifetime. */
export interface OAuth2Credentials {
  type: "oauth2";
  accessToken: string;
  refreshToken?: string;
  expiresAt?: string;
  /** Space-separated scopes the provider granted, when it said. */
  scope?: string;
  /**
   * The account's own API base URL, when the token response names one (see OAuth2Definition.instanceUrlField);
   * the connection's base URL becomes it.
   */
  instanceUrl?: string;
}

/** Credentials as the vault hands them to the HTTP client. Never logged. */
export type Credentials =
  | { type: "bearer"; token: string }
  | { type: "api_key"; key: string }
  | { type: "basic"; username: string; password: string }
  | OAuth2Credentials;

/**
 * One input of the Connect form. `name` is the credentials field it fills (`token` for bearer, `key` for
 * api_key, `username` and `password` for basic).
 */
export interface CredentialField {
  name: string;
  label: string;
  /** `secret` inputs are masked and never echoed back. */
  type: "secret" | "text";
  /** Where the end user finds the value. */
  help?: string;
  /** A regular expression (JavaScript syntax, matched against the whole value) the value must match. */
  pattern?: string;
  placeholder?: string;
}

/** A provider's OAuth2 authorization-code flow, as its documentation describes it. */
export interface OAuth2Definition {
  authorizationUrl: string;
  tokenUrl: string;
  /** Scopes to request. */
  scopes: readonly string[];
  /** Whether the provider verifies a PKCE S256 code challenge. */
  pkce: boolean;
  /** How the client id and secret reach the token endpoint: form body or HTTP Basic. */
  clientAuth: "client_secret_post" | "client_secret_basic";
  /**
   * The token response field naming the account's own API base URL, for providers whose accounts each live
   * on their own host (Salesforce: `instance_url`). Absent: every account uses the provider's base URL.
   */
  instanceUrlField?: string;
}

/**
 * Which response headers carry a provider's rate-limit budget.
 * Header names are lower-case. `windowMs` is used when the provider states no window header.
 */
export interface RateLimitHeaderSpec {
  limit?: string;
  remaining?: string;
  /** Header carrying the window length in milliseconds. */
  windowMsHeader?: string;
  /** Header carrying when the window resets: seconds until reset, or a unix timestamp in seconds. */
  reset?: { header: string; format: "seconds" | "unix_seconds" };
  windowMs?: number;
  /**
   * One header carrying used and allowed requests together (Salesforce: `Sforce-Limit-Info: api-usage=18/15000`):
   * `pattern` is a regular expression with the named groups `used` and `limit`; remaining is their difference.
   */
  usage?: { header: string; pattern: string };
  /**
   * An over-limit refusal that is not a 429 (Salesforce: HTTP 403 with REQUEST_LIMIT_EXCEEDED in the body):
   * retried like a 429 instead of being taken for rejected credentials.
   */
  refusal?: { status: number; bodyIncludes: string };
  /**
   * Limits the provider documents for some requests but announces in no header (HubSpot's search: 5 per
   * second). Requests that match are spaced so they never exceed `limit` per `windowMs`.
   */
  fixed?: readonly FixedRateLimit[];
}

/** A documented, unannounced limit on the requests whose method and path match. */
export interface FixedRateLimit {
  /** Only requests with this method count; absent: every method. */
  method?: HttpMethod;
  /** A regular expression matched against the request path (`/search$`). */
  pathPattern: string;
  limit: number;
  windowMs: number;
}

export interface ReadContext {
  http: HttpClient;
  /** The last committed state for this stream in this mode, or undefined to start from the beginning. */
  state: StreamState | undefined;
  /** True when the engine wants every record (first sync, or a forced full refresh). */
  fullRefresh: boolean;
  signal: AbortSignal;
  log: RunLogger;
}

/** A validator of stream state (a zod schema fits): `safeParse` says whether a checkpoint is one the stream wrote. */
export interface StateSchema {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: unknown }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

export interface StreamDefinition {
  /** Short name, unique within the provider (`contacts`). */
  name: string;
  primaryKey: string;
  /** Field the incremental cursor follows (`updatedAt`), if the stream supports incremental reads. */
  cursorField?: string;
  /** Field whose truthy value means the provider deleted/archived the record. */
  deletedField?: string;
  schema: StreamSchema;
  /**
   * The shape of this stream's state, when the stream declares one: the engine validates a loaded checkpoint
   * with it, so a corrupt or foreign checkpoint is a clear error instead of a cast. Absent: state is opaque.
   */
  stateSchema?: StateSchema;
  /** Yields pages in order. Must honour ctx.state to resume, and ctx.signal to stop. */
  read(ctx: ReadContext): AsyncIterable<StreamPage>;
}

/** A validator of values (a zod schema fits): `parse` returns the value as the type, or throws naming what is wrong. */
export interface ValueSchema<T> {
  parse(value: unknown): T;
}

/**
 * A write a provider offers (create a person, update a deal): its input and output are validated, and `run`
 * makes the provider's calls with the connection's HTTP client.
 */
export interface ActionDefinition<Input = unknown, Output = unknown> {
  /** Unique within the provider (`create_person`). */
  name: string;
  description: string;
  input: ValueSchema<Input>;
  output: ValueSchema<Output>;
  run(http: HttpClient, input: Input): Promise<Output>;
  /** Present when this action writes many records in one request: see BatchActionDeclaration. */
  batchOf?: BatchActionDeclaration;
}

/**
 * A batch action writes many records as the action named `action` writes one: its input is `{ inputs: [...] }`
 * (each one `action`'s input, at most `maxInputs`) and its output `{ results: BatchItemResult[] }`, one per
 * input in order. `idempotentBy` (a dotted input path, `properties.email`) says an input whose value there
 * matches an existing record updates it instead of creating another, so a retried batch never creates twice.
 */
export interface BatchActionDeclaration {
  action: string;
  maxInputs: number;
  idempotentBy?: string;
}

/** One input's result in a batch action: the single action's output, or the provider's refusal of it. */
export type BatchItemResult = { ok: true; output: unknown } | { ok: false; status: number; message: string };

/** How the demo and the conformance suite start a provider's emulator (`ProviderDefinition.emulator`). */
export interface EmulatorStartOptions {
  /** Seed of its data and fault sequence (default: the emulator's own). */
  seed?: number;
  /** About how many seeded records each stream holds (default: the emulator's own; tests keep it small). */
  records?: number;
  /** 0 or absent: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Rate limits far above what a test reaches, so 429s come only from the fault knobs. */
  unlimited?: boolean;
  /** A token (or API key) to accept instead of the emulator's own, so docs can name it (`npm start`'s). */
  token?: string;
}

/** An OAuth app `npm start` registers in an emulator's OAuth server, so Connect's OAuth reaches the emulator. */
export interface EmulatorOAuthApp {
  name: string;
  clientId: string;
  clientSecret: string;
  redirectUris: readonly string[];
}

/** The emulator kit's fault knobs (shares are 0 to 1), as any emulator takes them. */
export interface EmulatorFaults {
  rate429?: number;
  rate5xx?: number;
  dropRate?: number;
  /** Share of successful JSON bodies cut in half. */
  malformedRate?: number;
  /** Share of requests answered with an HTML page and status 200. */
  htmlRate?: number;
  latencyMs?: number;
  /** Seed of the fault sequence (default: the dataset's), so one dataset can be synced under many sequences. */
  seed?: number;
  /** After this many requests with one token, it is refused as expired (401): OAuth2 connections refresh. */
  tokenExpiresAfter?: number;
}

/** Changes the emulator makes to one stream's data, as the provider would over time. */
export interface EmulatorChange {
  creates?: number;
  updates?: number;
  deletes?: number;
}

/** What the emulator holds for one stream, for comparing with what a sync landed. */
export interface EmulatorTruth {
  /**
   * Live records by primary key, valued as the connector outputs them. A record may hold only the fields
   * the emulator vouches for (at least the primary key and the cursor field): the cached record must match
   * it on those.
   */
  live: ReadonlyMap<string, SyncRecord>;
  /** Primary keys of the records the provider deleted. */
  deleted: ReadonlySet<string>;
}

/** A running emulator of one provider, as `ProviderDefinition.emulator` returns it. */
export interface EmulatorHandle {
  /** The base URL a connection uses instead of the provider's. */
  url: string;
  /** Credentials the emulator accepts, as a connection holds them. */
  credentials: Credentials;
  /** Credentials of the provider's kind that it refuses. */
  rejectedCredentials: Credentials;
  /** The streams whose truth it knows (tests sync these). */
  streams: readonly string[];
  /**
   * Streams whose truth it knows too but whose data never changes (`mutate` cannot change them), such as
   * HubSpot's deal stages: tests count them, change tests leave them out.
   */
  fixedStreams?: readonly string[];
  /** Applies changes to streams' data (keyed by stream name), moving their modification times forward. */
  mutate(changes: Readonly<Record<string, EmulatorChange>>): Promise<void>;
  truth(stream: string): Promise<EmulatorTruth>;
  /** Merges fault knobs into the current ones. */
  setFaults(faults: EmulatorFaults): Promise<void>;
  /** Registers an OAuth app (with every scope the emulator knows) and says where its OAuth2 endpoints are. */
  registerOAuthApp?(app: EmulatorOAuthApp): { authorizationUrl: string; tokenUrl: string };
  close(): Promise<void>;
}

export interface ProviderDefinition {
  /** Registry key (`hubspot`). */
  name: string;
  displayName: string;
  baseUrl: string;
  auth: AuthScheme;
  /** The Connect form's fields for `auth`; when absent they are derived from the scheme. */
  credentialFields?: readonly CredentialField[];
  /** OAuth2 support; its access tokens are sent as `Authorization: Bearer`. */
  oauth2?: OAuth2Definition;
  rateLimit?: RateLimitHeaderSpec;
  streams: readonly StreamDefinition[];
  /** The typed writes the provider offers (`POST /v1/actions/{provider}/{action}`); none when absent. */
  actions?: readonly ActionDefinition[];
  /** One cheap authenticated call that proves the credentials work. Throws CredentialsRejectedError if not. */
  checkCredentials(http: HttpClient): Promise<void>;
  /**
   * Starts the provider's emulator on loopback (docs/conformance.md). Import the emulator lazily inside,
   * so loading the definition does not load the emulator.
   */
  emulator?: (options?: EmulatorStartOptions) => Promise<EmulatorHandle>;
  /** The webhooks it sends and how Switchyard takes them (docs/webhooks-inbound.md); none when absent. */
  webhooks?: ProviderWebhooks;
  /**
   * Asks the provider the id of the account a connection holds (Salesforce's org id), for a provider whose
   * `webhooks.accountId` does not already: OAuth2 connections of one account then share one rate-limit budget.
   */
  accountId?(http: HttpClient, signal: AbortSignal): Promise<string>;
  /** How reverse ETL checks creates whose answer was lost, for a provider without upserts (created-records.ts). */
  createdRecords?: CreatedRecordChecks;
}

// ---------------------------------------------------------------------------------------------------------
// Destinations

/** What a destination needs to know about a stream to store it. */
export interface StreamTarget {
  provider: string;
  stream: string;
  /** Suggested table name, e.g. `hubspot_contacts`. */
  table: string;
  primaryKey: string;
  schema: StreamSchema;
}

/** A record after the engine validated and hashed it. */
/**
 * A validated record as destinations receive it. Only compact text is kept, not the record object: a
 * batch lives across many reads, and small flat strings cost far less memory and garbage collection.
 */
export interface PreparedRecord {
  /** Primary key value as a string. */
  pk: string;
  /** Content hash of `json`. */
  hash: string;
  deleted: boolean;
  /** The record as canonical JSON (keys sorted at every level): what was hashed; `JSON.parse` for values. */
  json: string;
  /**
   * The record's top-level field names, sorted. Records with the same fields share one frozen array, so
   * a destination can tell "same fields as the record before" by reference.
   */
  fields: readonly string[];
}

export interface RecordBatch {
  connectionId: string;
  target: StreamTarget;
  records: PreparedRecord[];
  syncedAt: Date;
  /**
   * Once this batch is committed, the destination holds every change the records cache made to this stream
   * of this connection up to this time (ISO-8601). The destination commits it with the batch and gives it
   * back from `syncedThrough`. Absent: the destination's mark stays where it was.
   */
  syncedThrough?: string;
}

/**
 * Where records land. A destination upserts by (connection, primary key), so writing a batch twice
 * leaves the same result; `write` resolves only once the batch is durably committed (with what the
 * destination reports about it, if anything: the records cache says what each record changed).
 */
export interface Destination<WriteResult = void> {
  readonly name: string;
  /** Creates or evolves what the stream needs (tables, columns). Idempotent. */
  prepare(target: StreamTarget): Promise<void>;
  write(batch: RecordBatch): Promise<WriteResult>;
  /**
   * The `syncedThrough` of the last committed batch that carried one, for this connection's stream; null
   * when none did. The engine sends the destination every cached change after it, so a destination never
   * misses a change that a run without it (or a crash before its commit) left only in the records cache.
   */
  syncedThrough(connectionId: string, target: StreamTarget): Promise<string | null>;
  close(): Promise<void>;
}
