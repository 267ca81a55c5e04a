/**
 * `context.usage` recomputed from the replay (POLICY-LANGUAGE.md section 8), per usage key
 * `(tenant, agent)`:
 * - rate windows: the times of this key's attempts, per tool and over all tools, pruned to the
 *   last second before the key's newest attempt; `*_rps` counts the attempts replayed so far
 *   (this one included) whose time is in `(t - 1 s, t]`;
 * - daily spend, one ledger per evaluated policy (candidate, baseline), because each policy's
 *   spend follows its own let-through decisions.
 *
 * Spend is kept as exact decimals (numbers.ts `Decimal`, a BigInt scaled by a power of ten):
 * every `cost_usd` is read as the JSON text of its double (what OPA would read) and added
 * exactly, and only the total handed to the engine is rounded to the nearest double. So the
 * running sum of a thousand `0.1`s is exactly 100, as a gateway summing in OPA's exact
 * decimals (or in cents) would report it, never 99.9999999999986.
 *
 * Late events (replayed out of order) see the windows as they are when they arrive; a late
 * event from an earlier UTC day than its key's ledger sees no spend and adds none (that day's
 * totals are gone). A key idle for more than a day is dropped by `sweep`: an in-order event
 * after that sees empty windows and a new day either way, so dropping changes nothing for it.
 */
import { type Decimal, decimalOf } from '../engine/numbers.js';

export const SECOND_NS = 1_000_000_000n;
export const DAY_NS = 86_400n * SECOND_NS;

/** Days since the epoch of a time in ns (floored, also before 1970). */
export function utcDay(ns: bigint): bigint {
  const q = ns / DAY_NS;
  return ns < 0n && q * DAY_NS !== ns ? q - 1n : q;
}

export const ZERO: Decimal = { m: 0n, e: 0 };

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  if (b.m === 0n) return a;
  if (a.m === 0n) return b;
  if (a.e === b.e) return { m: a.m + b.m, e: a.e };
  return a.e < b.e
    ? { m: a.m + b.m * 10n ** BigInt(b.e - a.e), e: a.e }
    : { m: a.m * 10n ** BigInt(a.e - b.e) + b.m, e: b.e };
}

/** The nearest double (JavaScript parses decimal text correctly rounded). */
export function decimalToNumber(d: Decimal): number {
  if (d.m === 0n) return 0;
  // m and 10^k exact as doubles: IEEE division (and a product that stays exact) rounds
  // correctly too, without formatting and parsing text.
  if (d.m >= -MAX_EXACT && d.m <= MAX_EXACT) {
    const m = Number(d.m);
    const scale = POWERS_OF_TEN[Math.abs(d.e)];
    if (scale !== undefined && d.e <= 0) return m / scale;
    if (scale !== undefined) {
      const product = m * scale;
      if (Number.isSafeInteger(product)) return product;
    }
  }
  return Number(`${d.m}e${d.e}`);
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);
/** 10^0..10^22, read from text (so exact): every one of them is a double. */
const POWERS_OF_TEN: readonly number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * `context.cost_usd` as an exact decimal; anything but a finite number spends nothing. Traces
 * repeat a few prices endlessly, so the decimals of recent ones are kept (a Decimal is never
 * modified: sums make new ones).
 */
export function costOf(value: unknown): Decimal {
  if (typeof value !== 'number' || !Number.isFinite(value) || value === 0) return ZERO;
  let d = costs.get(value);
  if (d === undefined) {
    if (costs.size >= COSTS_KEPT) costs.clear();
    d = decimalOf(value);
    costs.set(value, d);
  }
  return d;
}

const COSTS_KEPT = 4096;
const costs = new Map<number, Decimal>();

/** Attempt times in ascending order (ties in replay order), as a deque over an array. */
export class TimeWindow {
  private times: bigint[] = [];
  private head = 0;

  get size(): number {
    return this.times.length - this.head;
  }

  add(t: bigint): void {
    const last = this.times[this.times.length - 1];
    if (this.size === 0 || last === undefined || t >= last) this.times.push(t);
    else this.times.splice(this.upperBound(t), 0, t);
  }

  /** Drops every time `<= cut`. */
  prune(cut: bigint): void {
    while (this.head < this.times.length && (this.times[this.head] ?? cut) <= cut) this.head++;
    // Compact once the dead prefix dominates, so the array does not grow with the trace.
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** How many times are in `(from, to]`. */
  countIn(from: bigint, to: bigint): number {
    return this.upperBound(to) - this.upperBound(from);
  }

  /** The first index whose time is `> t`. */
  private upperBound(t: bigint): number {
    const times = this.times;
    // Replays ask about the newest time almost always.
    const last = times[times.length - 1];
    if (last === undefined || last <= t) return times.length;
    let lo = this.head;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] ?? t) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface Spend {
  tool: Decimal;
  agent: Decimal;
}

/** A spend total, with the double the engine is given for it (converted once per change). */
interface Total {
  exact: Decimal;
  number: number;
}

const NO_SPEND: Total = { exact: ZERO, number: 0 };

function plus(total: Total, cost: Decimal): Total {
  const exact = addDecimals(total.exact, cost);
  return { exact, number: decimalToNumber(exact) };
}

/** One policy's let-through spend of one key on its latest UTC day. */
export class DailySpend {
  constructor(
    private day: bigint | undefined = undefined,
    private agent: Total = NO_SPEND,
    private tools: Map<string, Total> = new Map(),
  ) {}

  /** The spend an event of `day` on `tool` sees (the earlier let-through calls of that day). */
  seen(day: bigint, tool: string): Spend {
    if (this.day !== day) return { tool: ZERO, agent: ZERO };
    return { tool: (this.tools.get(tool) ?? NO_SPEND).exact, agent: this.agent.exact };
  }

  /** `seen(day, tool).tool` as the double handed to the engine. */
  toolNumber(day: bigint, tool: string): number {
    return this.day === day ? (this.tools.get(tool) ?? NO_SPEND).number : 0;
  }

  /** `seen(day, tool).agent` as the double handed to the engine. */
  agentNumber(day: bigint): number {
    return this.day === day ? this.agent.number : 0;
  }

  /** Records a let-through call. */
  add(day: bigint, tool: string, cost: Decimal): void {
    if (this.day === undefined || day > this.day) {
      this.day = day;
      this.agent = NO_SPEND;
      this.tools = new Map();
    } else if (day < this.day) {
      return;
    }
    if (cost.m === 0n) return;
    this.agent = plus(this.agent, cost);
    this.tools.set(tool, plus(this.tools.get(tool) ?? NO_SPEND, cost));
  }

  clone(): DailySpend {
    return new DailySpend(this.day, this.agent, new Map(this.tools));
  }
}

export interface KeyState {
  newestNs: bigint;
  agentWindow: TimeWindow;
  toolWindows: Map<string, TimeWindow>;
  /** Indexed by policy: 0 the candidate, 1 the baseline. */
  spend: DailySpend[];
}

export interface Attempt {
  state: KeyState;
  toolRps: number;
  agentRps: number;
}

export class UsageTracker {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly policies: number) {}

  get size(): number {
    return this.keys.size;
  }

  /** Records one attempt of `key` on `tool` at `t` and counts the windows that include it. */
  attempt(key: string, tool: string, t: bigint): Attempt {
    let state = this.keys.get(key);
    if (!state) {
      state = {
        newestNs: t,
        agentWindow: new TimeWindow(),
        toolWindows: new Map(),
        spend: Array.from({ length: this.policies }, () => new DailySpend()),
      };
      this.keys.set(key, state);
    }
    if (t > state.newestNs) state.newestNs = t;
    let toolWindow = state.toolWindows.get(tool);
    if (!toolWindow) {
      toolWindow = new TimeWindow();
      state.toolWindows.set(tool, toolWindow);
    }
    state.agentWindow.add(t);
    toolWindow.add(t);
    // Counted before pruning so that a late event, older than the pruning cut, still counts itself.
    const from = t - SECOND_NS;
    const attempt = {
      state,
      toolRps: toolWindow.countIn(from, t),
      agentRps: state.agentWindow.countIn(from, t),
    };
    const cut = state.newestNs === t ? from : state.newestNs - SECOND_NS;
    state.agentWindow.prune(cut);
    toolWindow.prune(cut);
    return attempt;
  }

  /** Drops keys idle for more than a day before `clockNs`, and empty tool windows. */
  sweep(clockNs: bigint): void {
    for (const [key, state] of this.keys) {
      if (clockNs - state.newestNs > DAY_NS) {
        this.keys.delete(key);
        continue;
      }
      const cut = state.newestNs - SECOND_NS;
      for (const [tool, window] of state.toolWindows) {
        window.prune(cut);
        if (window.size === 0) state.toolWindows.delete(tool);
      }
    }
  }
}
