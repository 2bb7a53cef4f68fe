/**
 * A tiny emulator built on the kit (docs/emulator-kit.md): "Acme CRM", with seeded people that change over
 * time, offset paging on v1 and cursor paging with `updated_since` on v2, an API token in the query or a
 * bearer token, OAuth2 with rotating refresh tokens, Acme's own error body and rate-limit headers, every
 * fault knob, and `/_emulator/*` controls. Tested by src/emulator/docs-example.test.ts.
 * Run it as a command with docs/examples/tiny-emulator-main.ts.
 */
import { z } from "zod";
import {
  anyCredential,
  applyChanges,
  bearerToken,
  buildEmulatorApp,
  type ChangeCounts,
  createEmulatorCore,
  decodeCursor,
  defineErrorStyle,
  defineOAuthServer,
  EmulatorError,
  emulatorControls,
  encodeCursor,
  type FaultSettings,
  intBetween,
  LogicalClock,
  limitParam,
  limitRemainingResetHeaders,
  listen,
  type OAuthAppSpec,
  offsetPage,
  offsetParam,
  parseBody,
  pick,
  queryCredential,
  SeededTable,
  type TableRecord,
  takePage,
} from "../../src/emulator/index.ts";

interface Person {
  name: string;
  email: string;
}

interface AcmeOptions {
  port?: number;
  host?: string;
  seed?: number;
  people?: number;
  tokens?: readonly string[];
  faults?: FaultSettings;
  oauthApps?: readonly OAuthAppSpec[];
}

const DAY = 86_400_000;
const CLOCK_START = Date.UTC(2026, 0, 1);
const NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken"];

/** Acme's error body: `{ success: false, error, error_code }`. */
const acmeErrors = defineErrorStyle({
  requestIdHeader: "x-acme-request-id",
  body: (error) => ({ success: false, error: error.message, error_code: error.code }),
  missingCredentials: () =>
    new EmulatorError(401, "unauthorized", "You need to be authorized to make this request."),
  rateLimited: () => new EmulatorError(429, "rate_limited", "Request over limit. Please try again later."),
  htmlPageTitle: "Acme is down",
});

export async function startAcmeEmulator(options: AcmeOptions = {}) {
  const seed = options.seed ?? 1;
  const clock = new LogicalClock(CLOCK_START);
  let batch = 0;
  let url = "";
  // Seeded people: created in the past year, some modified since; generated on demand from their index.
  const seededPeople = () =>
    new SeededTable<Person>({
      seededCount: options.people ?? 100,
      seededTimes: (index) => {
        const createdAt = CLOCK_START - intBetween(2, 365, seed, index, 1) * DAY;
        return { createdAt, updatedAt: createdAt + intBetween(0, DAY, seed, index, 2) };
      },
      generate: (index) => ({
        name: `${pick(NAMES, seed, index, 3)} ${index}`,
        email: `person${index}@example.test`,
      }),
    });
  let people = seededPeople();

  const core = createEmulatorCore({
    seed,
    tokens: options.tokens ?? ["acme-token-1"],
    credentials: anyCredential(queryCredential("api_token"), bearerToken),
    errors: acmeErrors,
    rateLimit: {
      config: { perTwoSeconds: 80 },
      policy: (limits) => ({
        windows: [{ name: "burst", limit: limits.perTwoSeconds, windowMs: 2000 }],
        headers: (usage) => limitRemainingResetHeaders(usage.burst!),
      }),
    },
    ...(options.faults ? { faults: options.faults } : {}),
    oauth: {
      server: defineOAuthServer({
        tokenPath: "/oauth/token",
        rotateRefreshTokens: true,
        // Each account has its own API host; the token response says which.
        tokenResponseExtras: () => ({ api_domain: url }),
        page: { providerName: "Acme", accountLabel: "Acme (emulated)", accentColor: "#1f7a4d" },
      }),
      ...(options.oauthApps ? { apps: options.oauthApps } : {}),
    },
  });

  const change = (counts: ChangeCounts) =>
    applyChanges(people, counts, {
      seed,
      batch: ++batch,
      tick: (stepMs) => clock.tick(stepMs),
      updatedFields: (id, version) => ({ name: `Renamed ${id}.${version}` }),
    });
  const toApi = (record: TableRecord<Person>) => ({
    id: record.id,
    ...record.fields,
    update_time: new Date(record.updatedAt).toISOString(),
  });
  // The kit adds its own part to the state (rate limits, faults, request counts) and to the reset.
  const controls = emulatorControls(core, {
    state: () => ({ people: people.liveCount, clock: new Date(clock.now).toISOString() }),
    reset: () => {
      people = seededPeople();
      clock.reset();
      batch = 0;
    },
  });

  type Query = Record<string, string | undefined>;
  const app = buildEmulatorApp(core, {
    controls,
    api: (api) => {
      // v1: offset paging, `additional_data.pagination`.
      api.get("/v1/persons", async (request) => {
        const query = request.query as Query;
        const start = offsetParam(query.start);
        const limit = limitParam(query.limit, { fallback: 100, max: 500 });
        const page = offsetPage([...people.liveIds()], start, limit);
        const pagination = {
          start,
          limit,
          more_items_in_collection: page.moreItems,
          next_start: page.nextStart,
        };
        return {
          success: true,
          data: page.items.map((id) => toApi(people.get(id)!)),
          additional_data: { pagination },
        };
      });
      // v2: cursor paging in id order, filtered by `updated_since`.
      api.get("/v2/persons", async (request) => {
        const query = request.query as Query;
        const limit = limitParam(query.limit, { fallback: 100, max: 500 });
        const fromId = query.cursor ? decodeCursor<{ id: number }>(query.cursor).id : undefined;
        const since = query.updated_since ? Date.parse(query.updated_since) : -Infinity;
        const page = takePage(
          (function* () {
            for (const id of people.liveIds(fromId)) if (people.updatedAtOf(id) >= since) yield id;
          })(),
          limit,
        );
        return {
          success: true,
          data: page.items.map((id) => toApi(people.get(id)!)),
          additional_data: { next_cursor: page.next === undefined ? null : encodeCursor({ id: page.next }) },
        };
      });
      api.get("/v1/persons/:id", async (request) => {
        const id = Number((request.params as { id: string }).id);
        if (!people.isLive(id)) throw new EmulatorError(404, "not_found", `Person ${id} not found.`);
        return { success: true, data: toApi(people.get(id)!) };
      });
    },
    providerControls: (control) => {
      const changeSchema = z.object({
        updates: z.number().int().min(0).optional(),
        creates: z.number().int().min(0).optional(),
        archives: z.number().int().min(0).optional(),
        stepMs: z.number().int().min(0).optional(),
      });
      control.post("/_emulator/change", async (request) =>
        change(parseBody(acmeErrors, changeSchema, request.body ?? {})),
      );
    },
  });
  const server = await listen(app, options);
  url = server.url;
  return { ...server, ...controls, tokens: options.tokens ?? ["acme-token-1"], change, oauth: core.oauth! };
}
