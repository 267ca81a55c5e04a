/**
 * The replay (POLICY-LANGUAGE.md section 8): trace records in, a SimulationReport out.
 *
 * 1. Order. Events pass a bounded reorder window: kept sorted on (time, arrival), it releases an
 *    event once the newest time seen is more than `reorderWindowMs` past it, so events are
 *    replayed in time order with ties in arrival order. An event older than one already
 *    released is replayed at once (out of order) and counted in `late`. The window runs on
 *    every event before the shard filter, so lateness and replay order are the same in every
 *    shard; in a replay split over threads it runs on one, which hands the others their
 *    events as they leave it (HandOff, replayReleased). `--since` is inclusive, `--until` exclusive (consecutive ranges partition a trace).
 * 2. Usage (usage.ts). Rate windows need no decision and are counted when an event is
 *    released; daily spend needs the decisions of the key's earlier events, so each policy
 *    decides a key's events in order.
 * 3. Decisions. The native engine decides each event synchronously. opa and wasm decide
 *    batches (one `opa eval` per batch): the spend each event will see is predicted by running
 *    the native evaluator over the batch first, the engine decides the whole batch, and then,
 *    in order, each decision is kept only if the usage it was given equals the usage the
 *    engine's own earlier decisions imply. A key whose prediction was wrong has the rest of its
 *    events decided again in the next round, whose first event then has exact usage, so every
 *    round makes progress and the result is exactly the sequential one; since the engines agree
 *    (the conformance suite), there is almost always a single round. Only an event with a cost
 *    and a later event of its key in the same round needs a prediction at all.
 *
 * A call whose input lacks `context.time` gets the event's time (the gateway decided it then);
 * `context.usage` is always replaced. A call whose agent id, tenant or tool name is not a
 * string is `invalid_input` whatever its usage, and has no usage key.
 */
import type { PolicySetIR } from '../compiler/ir.js';
import type { Decision } from '../engine/decision.js';
import type { ReplayContext } from '../engine/decision-input.js';
import type { Engine } from '../engine/engines.js';
import { evaluate, evaluateReplayed } from '../engine/evaluate.js';
import { isJsonData, isObject, type JsonObject, numbersFinite } from '../engine/json.js';
import type { Decimal } from '../engine/numbers.js';
import type { PolicySet } from '../engine/policy-set.js';
import { UsageError } from '../errors.js';
import { formatRfc3339Ns } from './readers/format-rfc3339.js';
import { agentLabel, type CallLabels, INVALID_ID, ReportBuilder } from './report.js';
import { RunFingerprint } from './run-fingerprint.js';
import { checkShard, formatShard, type ShardSpec, shardOf } from './shard.js';
import type { ShardRun, SimulationReport, TraceEvent, TraceRecord } from './types.js';
import {
  type Attempt,
  costOf,
  DAY_NS,
  type DailySpend,
  decimalToNumber,
  type KeyState,
  UsageTracker,
  utcDay,
  ZERO,
} from './usage.js';

export interface PolicyEvaluator {
  set: PolicySet;
  engine: Engine;
}

export interface ReplayOptions {
  candidate: PolicyEvaluator;
  baseline?: PolicyEvaluator;
  /** ns since the epoch, inclusive. */
  since?: bigint;
  /** ns since the epoch, exclusive. */
  until?: bigint;
  shard?: ShardSpec;
  reorderWindowMs?: number;
  /** The most events the reorder window holds (default REORDER_MAX_EVENTS). */
  reorderMaxEvents?: number;
  examplesPerTransition?: number;
  onProgress?: (eventsSoFar: number) => void;
  /** Events per engine call for opa and wasm (default: 5000 for opa, 512 for wasm). */
  batchSize?: number;
  /**
   * Set on the thread that reads the traces when the replay is split over threads
   * (replay-threads.ts): which thread replays each key, and where the others' events go.
   */
  handOff?: HandOff;
  /**
   * The records come from readTraces/readTraceBatches, so an aegis JSON Lines event without
   * `escapes` was decoded by JSON.parse from text without `\u` escapes (types.ts): its input is
   * JSON data once its numbers are finite, a cheaper check. Records made any other way get the
   * full one.
   */
  fromReaders?: boolean;
}

/**
 * One replay split over threads (replay-threads.ts), as the thread that reads the traces sees
 * it: the usage keys are shared out between the threads; this one runs the reorder window over
 * every event and hands each other thread its events as they leave the window, with the sweeps
 * (replayReleased replays them there).
 */
export interface HandOff {
  /** The thread that replays a usage key's events, 0 for this one; asked once per key. */
  threadOf(key: string): number;
  /** Every event of the run as it leaves the window, with the thread that replays it. */
  release(event: TraceEvent, thread: number, late: boolean): void;
  /** A sweep of the usage (every thread sweeps at the same points). */
  sweep(at: bigint): void;
}

interface Pending {
  event: TraceEvent;
  late: boolean;
  call: CallLabels;
  /** Absent for a call without a usage key. */
  state?: KeyState;
  day: bigint;
  cost: Decimal;
  toolRps: number;
  agentRps: number;
}

const PROGRESS_EVERY = 10_000;

export async function replay(
  /** Records, or batches of records (readTraceBatches), in arrival order. */
  records: AsyncIterable<TraceRecord | readonly TraceRecord[]>,
  options: ReplayOptions,
): Promise<SimulationReport> {
  const shard = options.shard ? checkShard(options.shard) : undefined;
  const windowMs = options.reorderWindowMs ?? 5000;
  if (!(windowMs >= 0)) throw new UsageError(`the reorder window must be >= 0 ms, not ${windowMs}`);
  const decisions = new Decisions(options, shard);
  const report = decisions.report;
  const calls = new CallTable(shard, options.handOff);
  const handOff = options.handOff;
  const countsRecords = !shard || shard.index === 0;
  const fingerprint = shard ? new RunFingerprint() : undefined;

  // The replay clock (newest released time, over all shards' events) times the sweeps, so
  // they fall at the same point of the trace in every shard and every thread.
  let clock: bigint | undefined;
  let nextSweep: bigint | undefined;
  const release = (item: Released): Promise<void> | undefined => {
    const t = item.t;
    if (clock === undefined || t > clock) clock = t;
    if (nextSweep === undefined) nextSweep = clock + DAY_NS;
    else if (clock > nextSweep) {
      const at = clock;
      nextSweep = at + DAY_NS;
      handOff?.sweep(at);
      const swept = decisions.sweep(at);
      if (swept) return swept.then(() => afterSweep(item));
    }
    return afterSweep(item);
  };
  const afterSweep = (item: Released): Promise<void> | undefined => {
    if (!isOwn(item)) return undefined;
    const { event, info, late } = item;
    handOff?.release(event, info.thread, late);
    return info.thread === 0 ? decisions.admit(event, info, late) : undefined;
  };

  const window = new ReorderWindow(
    BigInt(Math.round(windowMs * 1e6)),
    options.reorderMaxEvents ?? REORDER_MAX_EVENTS,
  );
  let read = 0;
  /** One record; a promise only when a batch had to be decided on the way. */
  const take = (record: TraceRecord): Promise<void> | undefined => {
    read++;
    if (options.onProgress && read % PROGRESS_EVERY === 0) options.onProgress(read);
    if (record.kind !== 'event') {
      fingerprint?.add(record);
      // Counted by shard 0 alone, so that the shards' counts add up to the whole trace's.
      if (!countsRecords) return undefined;
      report.events++;
      if (record.kind === 'skip') report.skipped++;
      else report.addMalformed(record);
      return undefined;
    }
    const info = calls.of(record.input);
    fingerprint?.add(record, info.call);
    const source = record.origin.source ?? 0;
    // Another shard's event: only its time counts here. One handed off to another thread is
    // counted here and replayed there.
    if (!info.mine && info.thread === 0) return enter({ t: record.timeNs, source, late: false });
    report.events++;
    return enter({ t: record.timeNs, source, late: false, event: record, info });
  };
  /** An event into the reorder window (unless the time filter drops it), and out when due. */
  const enter = (item: Released): Promise<void> | undefined => {
    const t = item.t;
    if (
      (options.since !== undefined && t < options.since) ||
      (options.until !== undefined && t >= options.until)
    ) {
      if (isOwn(item)) report.filtered++;
      return undefined;
    }
    const late = window.push(item);
    if (late) return release(late);
    for (let due = window.popDue(); due; due = window.popDue()) {
      const decided = release(due);
      if (decided) return decided.then(() => drainDue());
    }
    return undefined;
  };
  const drainDue = async (): Promise<void> => {
    for (let due = window.popDue(); due; due = window.popDue()) await release(due);
  };
  for await (const chunk of records) {
    if ('kind' in chunk) await take(chunk);
    else
      for (const record of chunk) {
        const decided = take(record);
        if (decided) await decided;
      }
  }
  for (let due = window.popAny(); due; due = window.popAny()) await release(due);
  options.onProgress?.(read);
  const finished = await decisions.finish();
  if (!shard) return finished;
  const run: ShardRun = {
    records: read,
    traces: (fingerprint as RunFingerprint).digest(),
    ...(options.since !== undefined ? { since: formatRfc3339Ns(options.since) } : {}),
    ...(options.until !== undefined ? { until: formatRfc3339Ns(options.until) } : {}),
    reorder_window_ms: windowMs,
  };
  return { ...finished, run };
}

/** What a thread of a split replay is handed (HandOff): its events as they leave the window. */
export type ReleasedRecord =
  | { kind: 'event'; event: TraceEvent; late: boolean }
  | { kind: 'sweep'; at: bigint };

/**
 * The other side of a HandOff: the events of the keys handed to this thread, in replay order
 * and marked late where they were, with the sweeps where they fell; the rest of the replay
 * (the window, the counts of records and events) is the handing thread's.
 */
export async function replayReleased(
  records: AsyncIterable<readonly ReleasedRecord[]>,
  options: ReplayOptions,
): Promise<SimulationReport> {
  const decisions = new Decisions(options, undefined);
  const calls = new CallTable(undefined, undefined);
  for await (const batch of records) {
    for (const record of batch) {
      const decided =
        record.kind === 'sweep'
          ? decisions.sweep(record.at)
          : decisions.admit(record.event, calls.of(record.event.input), record.late);
      if (decided) await decided;
    }
  }
  return decisions.finish();
}

/**
 * Everything after the reorder window: the usage of each released event, its decisions, and the
 * report. The native engine decides each event as it is admitted, synchronously: no batches, no
 * promises per event. The others decide batches (decidePending).
 */
class Decisions {
  readonly report: ReportBuilder;
  private readonly tracker: UsageTracker;
  private readonly days = new DayOf();
  private readonly nativeDecide: ReturnType<typeof nativeDecider> | undefined;
  private readonly deciders: Decide[];
  private readonly batchSize: number;
  private pending: Pending[] = [];

  constructor(options: ReplayOptions, shard: ShardSpec | undefined) {
    const perTransition = options.examplesPerTransition ?? 5;
    if (!Number.isSafeInteger(perTransition) || perTransition < 0)
      throw new UsageError(`examples per transition must be an integer >= 0, not ${perTransition}`);
    this.report = new ReportBuilder({
      policy: { revision: options.candidate.set.revision, engine: options.candidate.engine.name },
      ...(options.baseline ? { baseline: { revision: options.baseline.set.revision } } : {}),
      ...(shard ? { shard: formatShard(shard) } : {}),
      examplesPerTransition: perTransition,
      timeFiltered: options.since !== undefined || options.until !== undefined,
    });
    const evaluators = options.baseline
      ? [options.candidate, options.baseline]
      : [options.candidate];
    this.tracker = new UsageTracker(evaluators.length);
    const native = evaluators.every((e) => e.engine.name === 'native');
    this.nativeDecide = native
      ? nativeDecider(evaluators, options.fromReaders === true)
      : undefined;
    this.deciders = evaluators.map((e, slot) => decider(e, slot));
    this.batchSize = Math.max(1, options.batchSize ?? defaultBatch(options.candidate.engine));
  }

  /** A released event of this shard or thread; a promise only when a batch was decided. */
  admit(event: TraceEvent, info: CallInfo, late: boolean): Promise<void> | undefined {
    const t = event.timeNs;
    const call = info.call;
    const attempt =
      info.key !== undefined ? this.tracker.attempt(info.key, call.tool, t) : undefined;
    const context = event.input.context;
    const cost = costOf(isObject(context) ? context.cost_usd : undefined);
    const day = this.days.of(t);
    if (this.nativeDecide) {
      const { candidate, baseline } = this.nativeDecide(event, info, attempt, day, cost);
      if (!candidate) throw new Error('replay: an event was left undecided');
      this.report.addEvaluated(event, late, call, candidate, baseline);
      return undefined;
    }
    this.pending.push({
      event,
      late,
      call,
      ...(attempt ? { state: attempt.state } : {}),
      day,
      cost,
      toolRps: attempt?.toolRps ?? 0,
      agentRps: attempt?.agentRps ?? 0,
    });
    return this.pending.length >= this.batchSize ? this.decidePending() : undefined;
  }

  /** Drops the usage that can no longer count; pending events are decided first. */
  sweep(at: bigint): Promise<void> | undefined {
    // A swept key's pending events still need its spend ledger.
    if (this.pending.length > 0) return this.decidePending().then(() => this.tracker.sweep(at));
    this.tracker.sweep(at);
    return undefined;
  }

  async finish(): Promise<SimulationReport> {
    await this.decidePending();
    return this.report.finish();
  }

  private async decidePending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const decided = await Promise.all(this.deciders.map((decide) => decide(batch)));
    batch.forEach((p, i) => {
      const candidate = decided[0]?.[i];
      if (!candidate) throw new Error('replay: an event was left undecided');
      this.report.addEvaluated(p.event, p.late, p.call, candidate, decided[1]?.[i]);
    });
  }
}

/**
 * The native engine over both policies, deciding one released event: each policy sees its own
 * spend ledger, its let-through decisions add to it. Inputs that are JSON data already (all but
 * a few odd ones) are read in place with the usage alongside (evaluateReplayed); the rest go
 * through `evaluate` on the copied input, exactly as the batched engines get them.
 */
function nativeDecider(
  evaluators: readonly PolicyEvaluator[],
  fromReaders: boolean,
): (
  event: TraceEvent,
  info: CallInfo,
  attempt: Attempt | undefined,
  day: bigint,
  cost: Decimal,
) => Decided {
  const irs = evaluators.map((e) => e.set.ir);
  const overlay: ReplayContext = {
    toolRps: 0,
    agentRps: 0,
    toolSpend: 0,
    agentSpend: 0,
    time: '',
    timeMs: undefined,
    ids: undefined,
  };
  const decided: Decided = { candidate: undefined, baseline: undefined };
  return (event, info, attempt, day, cost) => {
    const input = event.input;
    // An aegis line without `\u` escapes is JSON data once its numbers are (types.ts `escapes`).
    const jsonData =
      fromReaders && event.format === 'aegis-jsonl' && !event.escapes
        ? numbersFinite(input)
        : isJsonData(input);
    const tool = info.call.tool;
    if (jsonData) {
      overlay.toolRps = attempt?.toolRps ?? 0;
      overlay.agentRps = attempt?.agentRps ?? 0;
      const context = input.context;
      const hasTime = isObject(context) && Object.hasOwn(context, 'time');
      overlay.time = hasTime ? '' : formatRfc3339Ns(event.timeNs);
      // The aegis reader took the event's time from this very context.time.
      overlay.timeMs =
        hasTime && event.format === 'aegis-jsonl' ? floorMs(event.timeNs) : undefined;
      // Read from this input by the call table, and well-formed when interned.
      overlay.ids = info.interned ? info.call : undefined;
    }
    for (let slot = 0; slot < irs.length; slot++) {
      const ir = irs[slot] as PolicySetIR;
      const ledger = attempt?.state.spend[slot];
      const toolSpend = ledger ? ledger.toolNumber(day, tool) : 0;
      const agentSpend = ledger ? ledger.agentNumber(day) : 0;
      let d: Decision;
      if (jsonData && Number.isFinite(toolSpend) && Number.isFinite(agentSpend)) {
        overlay.toolSpend = toolSpend;
        overlay.agentSpend = agentSpend;
        // jsonData: the input is JSON data (checked above), which is what JsonObject means.
        d = evaluateReplayed(ir, input as JsonObject, overlay);
      } else {
        const spend = ledger ? ledger.seen(day, tool) : { tool: ZERO, agent: ZERO };
        d = evaluate(ir, inputWith(event, attempt?.toolRps ?? 0, attempt?.agentRps ?? 0, spend));
      }
      if (ledger && letThrough(d)) ledger.add(day, tool, cost);
      if (slot === 0) decided.candidate = d;
      else decided.baseline = d;
    }
    return decided;
  };
}

/** The decisions of one event, in an object the native decider reuses. */
interface Decided {
  candidate: Decision | undefined;
  baseline: Decision | undefined;
}

/** ns -> ms since the epoch, floored (also before 1970). */
function floorMs(ns: bigint): number {
  // Number(ns) is within 1024 ns of ns (int64 range): unless that is near a millisecond
  // boundary, its floor is ns's, without BigInt arithmetic (which allocates).
  const approx = Number(ns);
  const ms = Math.floor(approx / 1e6);
  const rest = approx - ms * 1e6;
  if (rest > 10_000 && rest < 990_000) return ms;
  // Near one (every time written to the millisecond): with the exact remainder, approx - r is
  // within a few thousand ns of the truncated quotient's multiple of 1e6, so rounding finds it.
  const r = Number(ns % 1_000_000n);
  const truncated = Math.round((approx - r) / 1e6);
  return r < 0 ? truncated - 1 : truncated;
}

/** The UTC day of a time, recomputed only when the time leaves the last day asked about. */
class DayOf {
  private start = 0n;
  private end = 0n;
  private day = 0n;

  of(ns: bigint): bigint {
    if (ns >= this.start && ns < this.end) return this.day;
    this.day = utcDay(ns);
    this.start = this.day * DAY_NS;
    this.end = this.start + DAY_NS;
    return this.day;
  }
}

function defaultBatch(engine: Engine): number {
  return engine.name === 'opa' ? 5000 : 512;
}

/** The report labels of a call and its usage key (absent when an id is not a string). */
export function readCall(input: Record<string, unknown>): { call: CallLabels; key?: string } {
  const agent = member(input, 'agent');
  const tool = member(input, 'tool');
  const id = isObject(agent) ? member(agent, 'id') : undefined;
  const tenant = isObject(agent) ? member(agent, 'tenant') : undefined;
  const name = isObject(tool) ? member(tool, 'name') : undefined;
  const action = isObject(tool) ? member(tool, 'action') : undefined;
  const call: CallLabels = {
    agent: typeof id === 'string' ? id : INVALID_ID,
    tool: typeof name === 'string' ? name : INVALID_ID,
    ...(tenant !== undefined ? { tenant: typeof tenant === 'string' ? tenant : INVALID_ID } : {}),
    ...(typeof action === 'string' ? { action } : {}),
  };
  const valid =
    typeof id === 'string' &&
    typeof name === 'string' &&
    (tenant === undefined || typeof tenant === 'string');
  // JSON keeps an absent tenant apart from every string tenant, `""` included.
  return valid ? { call, key: JSON.stringify([tenant ?? null, id]) } : { call };
}

function member(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * What stands for the context of a call whose input holds a number past the double range
 * (`1e400`): JSON.parse reads it as Infinity, which aegis can only decide as null, while the
 * gateway's OPA kept the number and compared it. A context that is not an object is
 * `invalid_input` in every engine, so the call is denied as malformed, the same way whichever
 * engine replays it, rather than decided on a value it did not have.
 */
const NUMBER_PAST_DOUBLE = 'aegis: a number in this call is beyond what a double holds';

/**
 * The event's input with `context.usage` (and, when absent, `context.time`) filled in; see
 * NUMBER_PAST_DOUBLE for an input with a number past the double range.
 */
function inputWith(
  event: TraceEvent,
  toolRps: number,
  agentRps: number,
  spend: { tool: Decimal; agent: Decimal },
): unknown {
  const input = event.input;
  if (!numbersFinite(input)) return { ...input, context: NUMBER_PAST_DOUBLE };
  const context = member(input, 'context');
  // A context that is not an object is invalid_input; leave the input as it was recorded.
  if (context !== undefined && !isObject(context)) return input;
  const next: Record<string, unknown> = { ...(context ?? {}) };
  if (!Object.hasOwn(next, 'time')) next.time = formatRfc3339Ns(event.timeNs);
  next.usage = {
    tool_rps: toolRps,
    agent_rps: agentRps,
    tool_spend_today_usd: decimalToNumber(spend.tool),
    agent_spend_today_usd: decimalToNumber(spend.agent),
  };
  return { ...input, context: next };
}

function letThrough(d: Decision): boolean {
  return d.decision === 'allow' || d.decision === 'sanitize';
}

function commit(p: Pending, ledger: DailySpend | undefined, d: Decision): void {
  if (ledger && letThrough(d)) ledger.add(p.day, p.call.tool, p.cost);
}

type Decide = (batch: readonly Pending[]) => Promise<Decision[]>;

function decider(evaluator: PolicyEvaluator, slot: number): Decide {
  const { set, engine } = evaluator;
  if (engine.name === 'native') {
    return async (batch) =>
      batch.map((p) => {
        const ledger = p.state?.spend[slot];
        const spend = seen(ledger, p);
        const d = evaluate(set.ir, inputWith(p.event, p.toolRps, p.agentRps, spend));
        commit(p, ledger, d);
        return d;
      });
  }
  return (batch) => decideSpeculatively(batch, slot, set, engine);
}

function seen(ledger: DailySpend | undefined, p: Pending) {
  return ledger
    ? ledger.seen(p.day, p.call.tool)
    : { tool: { m: 0n, e: 0 }, agent: { m: 0n, e: 0 } };
}

async function decideSpeculatively(
  batch: readonly Pending[],
  slot: number,
  set: PolicySet,
  engine: Engine,
): Promise<Decision[]> {
  const out: (Decision | undefined)[] = new Array(batch.length);
  let round = batch.map((_, i) => i);
  while (round.length > 0) {
    // Predict: only a costly event followed by another of its key in this round matters.
    const needsPrediction = new Array<boolean>(round.length).fill(false);
    const later = new Set<KeyState>();
    for (let j = round.length - 1; j >= 0; j--) {
      const p = batch[round[j] ?? -1];
      if (!p?.state) continue;
      needsPrediction[j] = p.cost.m !== 0n && later.has(p.state);
      later.add(p.state);
    }
    const predicted = new Map<KeyState, DailySpend>();
    const sent: { tool: number; agent: number }[] = [];
    const inputs = round.map((i, j) => {
      const p = batch[i] as Pending;
      const ledger = p.state && (predicted.get(p.state) ?? p.state.spend[slot]);
      const spend = seen(ledger, p);
      const input = inputWith(p.event, p.toolRps, p.agentRps, spend);
      sent.push({ tool: decimalToNumber(spend.tool), agent: decimalToNumber(spend.agent) });
      if (p.state && ledger && needsPrediction[j] && letThrough(evaluate(set.ir, input))) {
        let own = predicted.get(p.state);
        if (!own) {
          own = ledger.clone();
          predicted.set(p.state, own);
        }
        own.add(p.day, p.call.tool, p.cost);
      }
      return input;
    });
    const decisions = await engine.evaluateMany(inputs);
    if (decisions.length !== inputs.length)
      throw new Error(
        `engine ${engine.name} returned ${decisions.length} decisions for ${inputs.length} inputs`,
      );
    // Verify in order against the engine's own decisions; a mismatch defers the key.
    const next: number[] = [];
    const deferred = new Set<KeyState>();
    round.forEach((i, j) => {
      const p = batch[i] as Pending;
      if (p.state && deferred.has(p.state)) {
        next.push(i);
        return;
      }
      const ledger = p.state?.spend[slot];
      const spend = seen(ledger, p);
      const given = sent[j];
      if (
        p.state &&
        (given?.tool !== decimalToNumber(spend.tool) ||
          given?.agent !== decimalToNumber(spend.agent))
      ) {
        deferred.add(p.state);
        next.push(i);
        return;
      }
      const d = decisions[j] as Decision;
      commit(p, ledger, d);
      out[i] = d;
    });
    // Cannot happen (a deferred key's first event is exact next round), but never loop forever.
    if (next.length === round.length)
      throw new Error('replay: speculative decisions made no progress');
    round = next;
  }
  return out as Decision[];
}

/** An event in and out of the reorder window. */
interface Released {
  t: bigint;
  /** TraceOrigin.source: ties in time go in file order. */
  source: number;
  late: boolean;
  /** Absent for an event that another shard or thread replays: only its time counts here. */
  event?: TraceEvent;
  info?: CallInfo;
}

/** An event this shard or thread replays. */
interface Own extends Released {
  event: TraceEvent;
  info: CallInfo;
}

function isOwn(item: Released): item is Own {
  return item.event !== undefined;
}

/**
 * The most events the reorder window holds, whatever its duration: past it the oldest leaves
 * early, and an event older than it that comes later is late. A window of hours over a busy
 * trace (`--reorder-window 24h`) would otherwise hold the trace in memory: over the 1M-event
 * benchmark trace with `--reorder-window 99999999h`, peak RSS was 829 MB without a bound. The
 * default 5 s holds this many only above 5,000 events a second.
 */
export const REORDER_MAX_EVENTS = 25_000;

/**
 * The bounded reorder window: the events it holds, sorted by time and, within a time, by
 * arrival (a stable insertion keeps them so). Traces are nearly in time order, so an event
 * almost always goes at or near the end and leaves from the front: a few comparisons each,
 * where a heap would make a dozen. One that belongs further back is placed by binary search.
 */
class ReorderWindow {
  /** Released events before `head` are dead; compacted once they are most of the array. */
  private items: (Released | undefined)[] = [];
  private head = 0;
  private newest: bigint | undefined;
  /** Events older than this are due: `newest - window`. */
  private cut: bigint | undefined;
  private lastOut: bigint | undefined;

  constructor(
    private readonly windowNs: bigint,
    private readonly maxEvents: number,
  ) {}

  /**
   * Takes an event in. A late one (older than one already released) comes straight back, marked,
   * to be replayed at once; the others wait for popDue.
   */
  push(item: Released): Released | undefined {
    const t = item.t;
    if (this.lastOut !== undefined && t < this.lastOut) {
      item.late = true;
      return item;
    }
    this.insert(item);
    if (this.newest === undefined || t > this.newest) {
      this.newest = t;
      this.cut = t - this.windowNs;
    }
    return undefined;
  }

  /** The next event the window has passed (or the oldest, when it holds too many). */
  popDue(): Released | undefined {
    const top = this.items[this.head];
    if (top === undefined) return undefined;
    const due =
      (this.cut !== undefined && top.t < this.cut) ||
      this.items.length - this.head > this.maxEvents;
    return due ? this.shift(top) : undefined;
  }

  /** The next event whatever its time (at the end of the input). */
  popAny(): Released | undefined {
    const top = this.items[this.head];
    return top ? this.shift(top) : undefined;
  }

  /**
   * After every held event that comes before it: an earlier time, or the same time in the same
   * or an earlier file. So ties go in file order (TraceOrigin.source), and in arrival order
   * within a file: the merge of several files can hand over a tie from a later file first,
   * when an earlier file has the same time out of order.
   */
  private insert(item: Released): void {
    const items = this.items;
    const t = item.t;
    const source = item.source;
    const after = (held: Released) => held.t > t || (held.t === t && held.source > source);
    let at = items.length;
    const stop = Math.max(this.head, at - NEAR_END);
    while (at > stop && after(items[at - 1] as Released)) at--;
    if (at === stop && at > this.head && after(items[at - 1] as Released)) {
      let lo = this.head;
      let hi = at - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (after(items[mid] as Released)) hi = mid;
        else lo = mid + 1;
      }
      at = lo;
    }
    if (at === items.length) items.push(item);
    else items.splice(at, 0, item);
  }

  private shift(top: Released): Released {
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.lastOut = top.t;
    return top;
  }
}

/** How far back from the end an event is placed by stepping rather than binary search. */
const NEAR_END = 8;

/** A call's report labels, usage key and shard, as the replay needs them per event. */
interface CallInfo {
  call: CallLabels;
  key: string | undefined;
  mine: boolean;
  /** The thread that replays the call when the replay is split (HandOff), else 0. */
  thread: number;
  /** The labels are the input's own ids, all well-formed (objects holding strings). */
  interned: boolean;
}

/**
 * The CallInfo of an input, interned: a trace has few distinct (agent, tenant, tool, action)
 * tuples and millions of events, so the labels, the key and the shard hash are worked out once
 * per tuple. Tuples with an id that is not a string (invalid_input calls) are not interned.
 */
class CallTable {
  /** agent id -> tenant (undefined: none) -> tool name -> action (undefined: none). */
  private readonly table = new Map<
    string,
    Map<string | undefined, Map<string, Map<string | undefined, CallInfo>>>
  >();

  constructor(
    private readonly shard: ShardSpec | undefined,
    private readonly handOff: HandOff | undefined,
  ) {}

  of(input: Record<string, unknown>): CallInfo {
    const agent = member(input, 'agent');
    const tool = member(input, 'tool');
    const id = isObject(agent) ? member(agent, 'id') : undefined;
    const tenant = isObject(agent) ? member(agent, 'tenant') : undefined;
    const name = isObject(tool) ? member(tool, 'name') : undefined;
    const action = isObject(tool) ? member(tool, 'action') : undefined;
    if (
      typeof id !== 'string' ||
      typeof name !== 'string' ||
      (tenant !== undefined && typeof tenant !== 'string') ||
      (action !== undefined && typeof action !== 'string')
    )
      return this.info(input, false);
    let tenants = this.table.get(id);
    if (!tenants) {
      tenants = new Map();
      this.table.set(id, tenants);
    }
    let tools = tenants.get(tenant);
    if (!tools) {
      tools = new Map();
      tenants.set(tenant, tools);
    }
    let actions = tools.get(name);
    if (!actions) {
      actions = new Map();
      tools.set(name, actions);
    }
    let info = actions.get(action);
    if (!info) {
      info = this.info(input, true);
      actions.set(action, info);
    }
    return info;
  }

  private info(input: Record<string, unknown>, interned: boolean): CallInfo {
    const { call, key } = readCall(input);
    const shard = this.shard;
    // A call without a usage key has no usage to keep apart: this thread replays it.
    const thread = this.handOff && key !== undefined ? this.handOff.threadOf(key) : 0;
    const mine =
      thread === 0 && (!shard || shardOf(call.tenant, call.agent, shard.count) === shard.index);
    return { call: { ...call, label: agentLabel(call) }, key, mine, thread, interned };
  }
}
