/**
 * The replay (POLICY-LANGUAGE.md section 8): trace records in, a SimulationReport out.
 *
 * 1. Order. Events pass a bounded reorder window: a min-heap on (time, arrival) releases an
 *    event once the newest time seen is more than `reorderWindowMs` past it, so events are
 *    replayed in time order with ties in arrival order. An event older than one already
 *    released is replayed at once (out of order) and counted in `late`. The window runs on
 *    every event before the shard filter, so lateness and replay order are the same in every
 *    shard. `--since` is inclusive, `--until` exclusive (consecutive ranges partition a trace).
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
import type { Decision } from '../engine/decision.js';
import type { Engine } from '../engine/engines.js';
import { evaluate } from '../engine/evaluate.js';
import { isObject } from '../engine/json.js';
import type { Decimal } from '../engine/numbers.js';
import type { PolicySet } from '../engine/policy-set.js';
import { UsageError } from '../errors.js';
import { formatRfc3339Ns } from './readers/format-rfc3339.js';
import { type CallLabels, INVALID_ID, ReportBuilder } from './report.js';
import { checkShard, formatShard, type ShardSpec, shardOf } from './shard.js';
import type { SimulationReport, TraceEvent, TraceRecord } from './types.js';
import {
  costOf,
  DAY_NS,
  type DailySpend,
  decimalToNumber,
  type KeyState,
  UsageTracker,
  utcDay,
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
  examplesPerTransition?: number;
  onProgress?: (eventsSoFar: number) => void;
  /** Events per engine call for opa and wasm (default: 5000 for opa, 512 for wasm). */
  batchSize?: number;
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
  const perTransition = options.examplesPerTransition ?? 5;
  if (!Number.isSafeInteger(perTransition) || perTransition < 0)
    throw new UsageError(`examples per transition must be an integer >= 0, not ${perTransition}`);
  const report = new ReportBuilder({
    policy: { revision: options.candidate.set.revision, engine: options.candidate.engine.name },
    ...(options.baseline ? { baseline: { revision: options.baseline.set.revision } } : {}),
    ...(shard ? { shard: formatShard(shard) } : {}),
    examplesPerTransition: perTransition,
    timeFiltered: options.since !== undefined || options.until !== undefined,
  });
  const evaluators = options.baseline ? [options.candidate, options.baseline] : [options.candidate];
  const tracker = new UsageTracker(evaluators.length);
  const deciders = evaluators.map((e, slot) => decider(e, slot));
  const batchSize = Math.max(1, options.batchSize ?? defaultBatch(options.candidate.engine));
  const mine = (call: CallLabels) =>
    !shard || shardOf(call.tenant, call.agent, shard.count) === shard.index;
  const countsRecords = !shard || shard.index === 0;

  let pending: Pending[] = [];
  const decidePending = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const decided = await Promise.all(deciders.map((decide) => decide(batch)));
    batch.forEach((p, i) => {
      const candidate = decided[0]?.[i];
      if (!candidate) throw new Error('replay: an event was left undecided');
      report.addEvaluated(p.event, p.late, p.call, candidate, decided[1]?.[i]);
    });
  };

  // The replay clock (newest released time, over all shards' events) times the sweeps, so
  // they fall at the same point of the trace in every shard.
  let clock: bigint | undefined;
  let lastSweep: bigint | undefined;
  const release = async (item: Released) => {
    const t = item.event.timeNs;
    if (clock === undefined || t > clock) clock = t;
    if (lastSweep === undefined) lastSweep = clock;
    else if (clock - lastSweep > DAY_NS) {
      // Decide first: a swept key's pending events still need its spend ledger.
      await decidePending();
      tracker.sweep(clock);
      lastSweep = clock;
    }
    if (!item.mine) return;
    const { event, call, key } = item;
    const attempt = key !== undefined ? tracker.attempt(key, call.tool, t) : undefined;
    const context = event.input.context;
    pending.push({
      event,
      late: item.late,
      call,
      ...(attempt ? { state: attempt.state } : {}),
      day: utcDay(t),
      cost: costOf(isObject(context) ? context.cost_usd : undefined),
      toolRps: attempt?.toolRps ?? 0,
      agentRps: attempt?.agentRps ?? 0,
    });
    if (pending.length >= batchSize) await decidePending();
  };

  const window = new ReorderWindow(BigInt(Math.round(windowMs * 1e6)));
  let read = 0;
  const take = async (record: TraceRecord) => {
    read++;
    if (options.onProgress && read % PROGRESS_EVERY === 0) options.onProgress(read);
    if (record.kind !== 'event') {
      // Counted by shard 0 alone, so that the shards' counts add up to the whole trace's.
      if (!countsRecords) return;
      report.events++;
      if (record.kind === 'skip') report.skipped++;
      else report.addMalformed(record);
      return;
    }
    const { call, key } = readCall(record.input);
    const isMine = mine(call);
    if (isMine) report.events++;
    const t = record.timeNs;
    if (
      (options.since !== undefined && t < options.since) ||
      (options.until !== undefined && t >= options.until)
    ) {
      if (isMine) report.filtered++;
      return;
    }
    for (const item of window.push({ event: record, call, key, mine: isMine, late: false }))
      await release(item);
  };
  for await (const chunk of records) {
    if ('kind' in chunk) await take(chunk);
    else for (const record of chunk) await take(record);
  }
  for (const item of window.drain()) await release(item);
  await decidePending();
  options.onProgress?.(read);
  return report.finish();
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

/** The event's input with `context.usage` (and, when absent, `context.time`) filled in. */
function inputWith(p: Pending, spend: { tool: Decimal; agent: Decimal }): unknown {
  const input = p.event.input;
  const context = member(input, 'context');
  // A context that is not an object is invalid_input; leave the input as it was recorded.
  if (context !== undefined && !isObject(context)) return input;
  const next: Record<string, unknown> = { ...(context ?? {}) };
  if (!Object.hasOwn(next, 'time')) next.time = formatRfc3339Ns(p.event.timeNs);
  next.usage = {
    tool_rps: p.toolRps,
    agent_rps: p.agentRps,
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
        const d = evaluate(set.ir, inputWith(p, spend));
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
      const input = inputWith(p, spend);
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

interface Released {
  event: TraceEvent;
  call: CallLabels;
  key?: string;
  mine: boolean;
  late: boolean;
}

/** The bounded reorder window: a binary min-heap on (time, arrival sequence). */
class ReorderWindow {
  private readonly heap: { t: bigint; seq: number; item: Released }[] = [];
  private seq = 0;
  private newest: bigint | undefined;
  private lastOut: bigint | undefined;

  constructor(private readonly windowNs: bigint) {}

  /** The events now due, in replay order: a late one at once, else those the window passed. */
  push(item: Released): Released[] {
    const t = item.event.timeNs;
    if (this.lastOut !== undefined && t < this.lastOut) return [{ ...item, late: true }];
    this.insert({ t, seq: this.seq++, item });
    if (this.newest === undefined || t > this.newest) this.newest = t;
    const out: Released[] = [];
    const cut = this.newest - this.windowNs;
    for (let top = this.heap[0]; top && top.t < cut; top = this.heap[0]) out.push(this.pop());
    return out;
  }

  drain(): Released[] {
    const out: Released[] = [];
    while (this.heap.length > 0) out.push(this.pop());
    return out;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    if (!x || !y) return false;
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a];
    const y = this.heap[b];
    if (!x || !y) return;
    this.heap[a] = y;
    this.heap[b] = x;
  }

  private insert(node: { t: bigint; seq: number; item: Released }): void {
    this.heap.push(node);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): Released {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (!top || !last) throw new Error('replay: pop from an empty reorder window');
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.less(l, m)) m = l;
        if (r < this.heap.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    this.lastOut = top.t;
    return top.item;
  }
}
