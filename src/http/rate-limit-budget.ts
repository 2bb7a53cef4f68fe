/**
 * A rate-limit budget per provider account, shared by every client and run that touches the account.
 *
 * How it paces, in three rules:
 *  1. After a 429 with Retry-After (or a reset header), every request on the account waits until then.
 *  2. Until the provider has told us its remaining budget, requests go straight through.
 *  3. Once it has: while more than half of the limit remains, requests go straight through (short syncs
 *     stay fast). Below that, what remains is spread evenly over the time left in the window, so the
 *     budget lasts until the window resets and 429s stay rare. When nothing remains, wait for the reset.
 *
 * "Time left in the window" is the provider's reset time when it sends one; otherwise one window length
 * after the reading (conservative for rolling windows: the provider did not say when budget returns).
 *
 * What "remains" is the provider's lowest count seen in the current window, minus the requests in flight
 * (sent, no answer yet: the provider may not have counted them). With many clients and processes, answers
 * arrive out of order: a late answer reporting more remaining than an earlier one is stale and is ignored
 * until the window ends. Every completed attempt (any status, or a failed connection) must be reported
 * to `observe`, which is how a request stops being in flight; a request whose answer never comes (its
 * process died) stops counting after IN_FLIGHT_MAX_MS.
 *
 * The state behind these rules lives in a BudgetStore (see budget-store/): this process's memory when
 * embedded, else Redis or Postgres, where every process of the deployment reads and books the same budget
 * and every response (from any process) updates it. Each change is one atomic step of the store.
 */
import type { Kysely } from "kysely";
import type { BudgetStore } from "./budget-store/budget-store.ts";
import { budgetStoreFor } from "./budget-store/index.ts";
import { MemoryBudgetStore } from "./budget-store/memory-store.ts";
import type { RateLimitReading } from "./rate-limit-headers.ts";
import { sleep as realSleep } from "./retry.ts";

export interface RateLimitBudget {
  /** The provider account this budget belongs to (appears in rate_limit_wait events). */
  readonly account: string;
  /** Where the budget's state lives; fixed limits of the account are kept in the same place. */
  readonly store?: BudgetStore;
  /**
   * Resolves when one request may be sent, with the milliseconds it waited; `onWait` is told before each wait.
   * Rejects with the signal's reason as soon as the signal aborts.
   */
  acquire(signal?: AbortSignal, onWait?: (delayMs: number, reason: string) => void): Promise<number>;
  /**
   * Reports one completed attempt (status 0: no response) and what its response said about the limit
   * (`{}` if nothing); a 429 asking to wait blocks every caller of acquire.
   */
  observe(reading: RateLimitReading, status: number): void;
}

export interface InMemoryBudgetOptions {
  /** Clock in epoch ms; injectable for tests. */
  now?: () => number;
  /** Abortable wait; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Waits shorter than this are not worth a timer (and would just be timer noise). */
const MIN_WAIT_MS = 1;
/** Above this fraction of the limit remaining, requests are not paced. */
const FREE_FRACTION = 0.5;
/** A budget nobody touched for this long is forgotten (the next response teaches it again). */
const BUDGET_TTL_MS = 24 * 3_600_000;

/** A request granted longer ago than this without an answer is no longer counted as in flight. */
const IN_FLIGHT_MAX_MS = 120_000;
/** A reset time this much later than the current window's end means the provider started a new window. */
const NEW_WINDOW_MS = 500;

/** A budget's state as stored (JSON: no Infinity, no undefined). */
interface BudgetState {
  /** The lowest reading with a remaining count in the current window. */
  reading: RateLimitReading | null;
  /** When that window ends (epoch ms), or null when the provider gave no window. */
  windowEnd: number | null;
  /** When the first reading of that window came (epoch ms); absent in state written before it was kept. */
  windowStart?: number | null;
  /** Grant times of requests not answered yet, oldest first. */
  inFlight: number[];
  /** Time the last request was let through; paced requests are spaced from it. */
  lastSlot: number | null;
  blockedUntil: number;
}

const EMPTY: BudgetState = { reading: null, windowEnd: null, inFlight: [], lastSlot: null, blockedUntil: 0 };

/** The stored state, or an empty one when it is absent or not of this shape (another version wrote it). */
function wellFormed(stored: BudgetState | undefined): BudgetState {
  if (typeof stored !== "object" || stored === null || !Array.isArray(stored.inFlight)) return EMPTY;
  return stored;
}

type Grant = { delayMs: number; reason: string; booked: boolean };

/** An answer whose reading has not been written to the store yet. */
type Answer = { reading: RateLimitReading; status: number };

/**
 * How long an answer's reading may wait in this process before it is written on its own. It is written
 * sooner with the process's next booking on the account (the usual case: a sync sends its next request a
 * moment later), and at once if it is a 429.
 */
const ANSWER_DELAY_MS = 50;

/** A budget whose state lives in a BudgetStore; shared by every process using the same store and account. */
export class StoredRateLimitBudget implements RateLimitBudget {
  private readonly key: string;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Answers not written yet, in arrival order (see ANSWER_DELAY_MS); always empty on the memory store. */
  private answers: Answer[] = [];
  private answersTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly account: string,
    readonly store: BudgetStore,
    options: Pick<InMemoryBudgetOptions, "sleep"> = {},
  ) {
    this.key = `budget:${account}`;
    this.sleep = options.sleep ?? realSleep;
  }

  async acquire(signal?: AbortSignal, onWait?: (delayMs: number, reason: string) => void): Promise<number> {
    signal?.throwIfAborted();
    let waited = 0;
    for (;;) {
      // The answers waiting here are written by this booking's change: one change per request, not two.
      const answers = this.takeAnswers();
      const grant = await this.store.update(this.key, BUDGET_TTL_MS, (stored: BudgetState | undefined, now) =>
        grantStep(withAnswers(wellFormed(stored), answers, now), now, answers.length > 0),
      );
      if (grant.delayMs >= MIN_WAIT_MS) {
        onWait?.(grant.delayMs, grant.reason);
        await this.sleep(grant.delayMs, signal);
        waited += grant.delayMs;
      }
      // Rule 1 books nothing: look again after the block, another 429 may have extended it meanwhile.
      if (grant.booked) return waited;
    }
  }

  /**
   * Not awaited: the response is the caller's to handle now. On a shared store the reading goes with this
   * process's next booking on the account, or after ANSWER_DELAY_MS, or at once for a 429 (it blocks every
   * process). A store that failed is seen on the next acquire.
   */
  observe(reading: RateLimitReading, status: number): void {
    this.answers.push({ reading, status });
    if (status === 429 || this.store.kind === "memory") this.writeAnswers();
    else this.answersTimer ??= setTimeout(() => this.writeAnswers(), ANSWER_DELAY_MS);
  }

  private takeAnswers(): Answer[] {
    const answers = this.answers;
    this.answers = [];
    clearTimeout(this.answersTimer);
    this.answersTimer = undefined;
    return answers;
  }

  private writeAnswers(): void {
    const answers = this.takeAnswers();
    if (answers.length === 0) return;
    this.store
      .update(this.key, BUDGET_TTL_MS, (state: BudgetState | undefined, now) => ({
        state: withAnswers(wellFormed(state), answers, now),
        result: undefined,
      }))
      .catch(() => undefined);
  }
}

/** A budget of its own, in this process's memory (a client given no shared budget). */
export class InMemoryRateLimitBudget extends StoredRateLimitBudget {
  constructor(account: string, options: InMemoryBudgetOptions = {}) {
    super(account, new MemoryBudgetStore(options.now), options);
  }
}

/**
 * Rule 1, else rules 2 and 3: when the next request may go; books that slot unless blocked. `changed`: the
 * state given already differs from the stored one (answers were folded in), so it is written even unbooked.
 */
function grantStep(
  state: BudgetState,
  now: number,
  changed: boolean,
): { state?: BudgetState; result: Grant } {
  const blocked = state.blockedUntil - now;
  if (blocked >= MIN_WAIT_MS) {
    const reason = "the provider answered 429; every request on this account waits for its Retry-After";
    return { ...(changed ? { state } : {}), result: { delayMs: blocked, reason, booked: false } };
  }
  const slot = slotFor(state, now);
  const inFlight = state.inFlight.filter((at) => at > now - IN_FLIGHT_MAX_MS);
  inFlight.push(slot.at);
  return {
    state: { ...state, lastSlot: slot.at, inFlight },
    result: { delayMs: slot.at - now, reason: slot.reason, booked: true },
  };
}

/** The state after the answers, in order. */
function withAnswers(state: BudgetState, answers: readonly Answer[], now: number): BudgetState {
  return answers.reduce((next, { reading, status }) => observed(next, reading, status, now), state);
}

function observed(state: BudgetState, reading: RateLimitReading, status: number, now: number): BudgetState {
  // The oldest request in flight is the likeliest to be the one answered.
  const next = { ...state, inFlight: state.inFlight.slice(1) };
  if (status === 429 && reading.retryAfterMs !== undefined) {
    next.blockedUntil = Math.max(state.blockedUntil, now + reading.retryAfterMs);
  }
  // Responses without a remaining count (some endpoints send none) keep the last reading.
  if (reading.remaining === undefined) return next;
  const current = state.reading;
  const lowest = current?.remaining;
  const windowEnd = reading.resetAt ?? (reading.windowMs === undefined ? null : now + reading.windowMs);
  const newWindow =
    lowest === undefined ||
    state.windowEnd === null ||
    now >= state.windowEnd ||
    // A fixed window that reset: the provider names a later reset time.
    (reading.resetAt !== undefined && reading.resetAt > state.windowEnd + NEW_WINDOW_MS) ||
    resetWithoutResetTime(state, reading, now);
  if (newWindow) return { ...next, reading, windowEnd, windowStart: now };
  // Same window: only a lower count is news; a higher one was sent before answers we have already seen.
  if (reading.remaining < lowest) return { ...next, reading: { ...current, ...reading } };
  return next;
}

/**
 * A provider that names no reset time (HubSpot) reset its window when a reading shows at least half the limit
 * more than the lowest count of the window, in the second half of the window as we date it. Our window
 * starts at its first reading, after the provider's own start: waiting for our end instead would leave the
 * provider's new window unused until then, and the lag would grow by a round trip every window. Earlier in
 * the window a higher count is rather a late answer to a request of the window's first burst.
 */
function resetWithoutResetTime(state: BudgetState, reading: RateLimitReading, now: number): boolean {
  const lowest = state.reading?.remaining;
  if (reading.resetAt !== undefined || reading.remaining === undefined || lowest === undefined) return false;
  const limit = reading.limit ?? state.reading?.limit;
  if (limit === undefined || state.windowEnd === null || state.windowStart == null) return false;
  const halfWindow = (state.windowEnd - state.windowStart) / 2;
  return now - state.windowStart >= halfWindow && reading.remaining >= lowest + limit / 2;
}

function slotFor(state: BudgetState, now: number): { at: number; reason: string } {
  const free = { at: now, reason: "" };
  const reading = state.reading;
  if (reading?.remaining === undefined) return free;
  const windowEnd = state.windowEnd;
  // Without a window we cannot spread anything; a 429 with Retry-After will still slow us down (rule 1).
  if (windowEnd === null || windowEnd <= now) return free;
  const left = reading.remaining - state.inFlight.length;
  if (left <= 0) {
    return { at: windowEnd, reason: "the rate-limit budget is used up; waiting for the window to reset" };
  }
  if (reading.limit !== undefined && left > reading.limit * FREE_FRACTION) return free;
  // Slots already booked ahead (many callers waiting) are spaced from the last of them, so the requests left
  // spread over the time left after it and the last lands at the window's end, not beyond it.
  const booked = state.lastSlot !== null && state.lastSlot > now ? state.lastSlot : undefined;
  const interval = (windowEnd - (booked ?? now)) / left;
  return {
    at:
      booked !== undefined
        ? booked + interval
        : Math.max(now, (state.lastSlot ?? Number.NEGATIVE_INFINITY) + interval),
    reason: `${left} requests left in the rate-limit window; spacing them ${Math.round(interval)} ms apart`,
  };
}

const budgets = new WeakMap<BudgetStore, Map<string, RateLimitBudget>>();

/**
 * The budget of the account key (see providerAccountKey), in the backend chosen for `db`'s store (see
 * budgetStoreFor): one instance per backend and key in this process, shared with every other process of
 * that backend.
 */
// biome-ignore lint/suspicious/noExplicitAny: any store's database will do; only its dialect is looked at.
export function getSharedBudget(accountKey: string, db?: Kysely<any>): RateLimitBudget {
  const store = budgetStoreFor(db);
  let byKey = budgets.get(store);
  if (!byKey) {
    byKey = new Map();
    budgets.set(store, byKey);
  }
  let budget = byKey.get(accountKey);
  if (!budget) {
    budget = new StoredRateLimitBudget(accountKey, store);
    byKey.set(accountKey, budget);
  }
  return budget;
}
