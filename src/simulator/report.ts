/**
 * The counters of a replay, and the orders that make a report independent of how the trace was
 * split: examples are the first N per transition by (time, file, line), first_malformed the
 * first 20 by (file, line), and every map has sorted keys. mergeReports (merge.ts) uses the
 * same orders, so merging shard reports reproduces the single run exactly.
 *
 * Grouping keys: by_agent is `tenant/agent` for a call with a tenant, `agent` without one,
 * each part with `%` and `/` written `%25` and `%2F` (so agent `acme/bot` without a tenant is
 * `acme%2Fbot`, not the row of agent `bot` of tenant `acme`; other ids are as they are);
 * by_tool is the tool name. by_rule and by_code count events (a rule or code counts once per
 * event however many reasons carry it). An id that is not a string (an `invalid_input` call) is
 * shown as `<invalid>`.
 */
import { canonicalJson } from '../bundle/canonical-json.js';
import { type Decision, type Outcome, type Reason, reasonInOrder } from '../engine/decision.js';
import { parseRfc3339Ns } from '../engine/rfc3339.js';
import { formatRfc3339Ns } from './readers/format-rfc3339.js';
import {
  type CountsWithBlocks,
  type OutcomeCounts,
  REPORT_FORMAT_VERSION,
  type ReportExample,
  type SimulationReport,
  type TraceEvent,
  type TraceMalformed,
} from './types.js';

export const MALFORMED_LISTED = 20;
export const OUTCOMES = ['allow', 'sanitize', 'approval_needed', 'deny'] as const;
export const INVALID_ID = '<invalid>';

/** Who made a call, as the report groups it. */
export interface CallLabels {
  agent: string;
  tenant?: string;
  tool: string;
  action?: string;
  /** agentLabel(this), when worked out once for many events. */
  label?: string;
}

export interface ReportMeta {
  policy: { revision: string; engine: string };
  baseline?: { revision: string };
  shard?: string;
  examplesPerTransition: number;
  /** Whether --since/--until was given (the report then has `filtered`). */
  timeFiltered: boolean;
}

export function isOutcome(value: unknown): value is Outcome {
  return (OUTCOMES as readonly unknown[]).includes(value);
}

export function isWouldBlock(outcome: Outcome): boolean {
  return outcome === 'deny' || outcome === 'approval_needed';
}

export function agentLabel(call: CallLabels): string {
  if (call.label !== undefined) return call.label;
  return call.tenant !== undefined
    ? `${keyPart(call.tenant)}/${keyPart(call.agent)}`
    : keyPart(call.agent);
}

function keyPart(id: string): string {
  return id.includes('/') || id.includes('%') ? id.replace(/%/g, '%25').replace(/\//g, '%2F') : id;
}

/**
 * A recorded decision that is none of the four outcomes (`ALLOW`, `permit`): compared as one
 * value, less restrictive than every outcome (report-facts.ts `restrictiveness`), so that a
 * candidate's block of such a call is a new block and `--fail-on` trips, rather than the call
 * dropping out of the comparison. One value, not the trace's own spelling: the trace is
 * untrusted, and a key per spelling could grow the report without bound.
 */
export const UNRECOGNIZED = 'unrecognized';

/**
 * What the trace says the gateway decided: `recorded.outcome`, else `recorded.decision`, else
 * UNRECOGNIZED when either is there but names no outcome.
 */
export function recordedOutcome(event: TraceEvent): Outcome | typeof UNRECOGNIZED | undefined {
  const recorded = event.recorded;
  if (!recorded) return undefined;
  if (isOutcome(recorded.outcome)) return recorded.outcome;
  if (isOutcome(recorded.decision)) return recorded.decision;
  return UNRECOGNIZED;
}

/** The timeline bucket: `YYYY-MM-DDTHH` (UTC). */
export function hourKey(ns: bigint): string {
  return formatRfc3339Ns(ns).slice(0, 13);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RankedExample {
  ns: bigint;
  example: ReportExample;
}

export function rankExample(example: ReportExample): RankedExample {
  return { ns: parseRfc3339Ns(example.time) ?? 0n, example };
}

/** (time, file, line), then the whole example so that the order is total. */
export function compareExamples(a: RankedExample, b: RankedExample): number {
  if (a.ns !== b.ns) return a.ns < b.ns ? -1 : 1;
  return (
    compareText(a.example.file, b.example.file) ||
    a.example.line - b.example.line ||
    compareText(canonicalJson(a.example), canonicalJson(b.example))
  );
}

export type MalformedEntry = SimulationReport['first_malformed'][number];

export function compareMalformed(a: MalformedEntry, b: MalformedEntry): number {
  return compareText(a.file, b.file) || a.line - b.line || compareText(a.error, b.error);
}

/** Inserts in order, keeping at most `limit` entries (the smallest). */
export function insertBounded<T>(
  list: T[],
  item: T,
  limit: number,
  compare: (a: T, b: T) => number,
): void {
  let at = list.length;
  while (at > 0 && compare(item, list[at - 1] as T) < 0) at--;
  if (at >= limit) return;
  list.splice(at, 0, item);
  if (list.length > limit) list.length = limit;
}

export function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of [...entries].sort(([a], [b]) => compareText(a, b)))
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

export function emptyOutcomes(): OutcomeCounts {
  return { allow: 0, sanitize: 0, approval_needed: 0, deny: 0 };
}

export function emptyCounts(): CountsWithBlocks {
  return { events: 0, ...emptyOutcomes(), would_block: 0 };
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** A count held in an object, so that counting it again costs one lookup, not a get and a set. */
interface Tally {
  n: number;
}

function tally(map: Map<string, Tally>, key: string): void {
  const t = map.get(key);
  if (t) t.n++;
  else map.set(key, { n: 1 });
}

function* tallies(map: Map<string, Tally>): Iterable<[string, number]> {
  for (const [key, t] of map) yield [key, t.n];
}

function count(
  map: Map<string, CountsWithBlocks>,
  key: string,
  outcome: Outcome,
  blocks: boolean,
): void {
  let counts = map.get(key);
  if (!counts) {
    counts = emptyCounts();
    map.set(key, counts);
  }
  counts.events++;
  counts[outcome]++;
  if (blocks) counts.would_block++;
}

/** `"<from>-><to>"` for every pair, built once. */
const TRANSITIONS = Object.fromEntries(
  OUTCOMES.map((from) => [from, Object.fromEntries(OUTCOMES.map((to) => [to, `${from}->${to}`]))]),
) as Partial<Record<Outcome, Partial<Record<Outcome, string>>>>;

function transitionName(from: Outcome | typeof UNRECOGNIZED, to: Outcome): string {
  return (from !== UNRECOGNIZED && TRANSITIONS[from]?.[to]) || `${from}->${to}`;
}

const HOUR_NS = 3_600_000_000_000n;

/** hourKey, formatted once per hour: events come in time order, so mostly the same hour. */
class HourKeys {
  private start = 0n;
  private end = 0n;
  private last = '';

  key(ns: bigint): string {
    if (this.last === '' || ns < this.start || ns >= this.end) {
      this.last = hourKey(ns);
      const hour = ns / HOUR_NS;
      this.start = (ns < 0n && hour * HOUR_NS !== ns ? hour - 1n : hour) * HOUR_NS;
      this.end = this.start + HOUR_NS;
    }
    return this.last;
  }
}

export class ReportBuilder {
  events = 0;
  skipped = 0;
  malformed = 0;
  filtered = 0;
  private evaluated = 0;
  private late = 0;
  private erased = 0;
  private wouldBlock = 0;
  private comparedRecorded = false;
  private readonly outcomes = emptyOutcomes();
  private readonly byAgent = new Map<string, CountsWithBlocks>();
  private readonly byTool = new Map<string, CountsWithBlocks>();
  private readonly byRule = new Map<string, Tally>();
  private readonly byCode = new Map<string, Tally>();
  private readonly changes = new Map<string, number>();
  private readonly timeline = new Map<string, number>();
  private readonly transitionExamples = new Map<string, RankedExample[]>();
  private readonly blockExamples = new Map<string, RankedExample[]>();
  private readonly firstMalformed: MalformedEntry[] = [];
  private readonly hours = new HourKeys();

  constructor(private readonly meta: ReportMeta) {}

  addMalformed(record: TraceMalformed): void {
    this.malformed++;
    const entry = { file: record.origin.file, line: record.origin.line, error: record.error };
    insertBounded(this.firstMalformed, entry, MALFORMED_LISTED, compareMalformed);
  }

  addEvaluated(
    event: TraceEvent,
    late: boolean,
    call: CallLabels,
    candidate: Decision,
    baseline?: Decision,
  ): void {
    this.evaluated++;
    if (late) this.late++;
    if (event.erased && event.erased.length > 0) this.erased++;
    const outcome = candidate.outcome;
    const blocks = isWouldBlock(outcome);
    this.outcomes[outcome]++;
    count(this.byAgent, agentLabel(call), outcome, blocks);
    count(this.byTool, call.tool, outcome, blocks);
    // Once per event however many reasons carry a rule or code (a handful of reasons: a scan
    // back finds a repeat without building a set per event).
    const reasons = candidate.reasons;
    for (let i = 0; i < reasons.length; i++) {
      const r = reasons[i] as Reason;
      let ruleSeen = false;
      let codeSeen = false;
      for (let j = 0; j < i; j++) {
        const q = reasons[j] as Reason;
        if (q.rule === r.rule) ruleSeen = true;
        if (q.code === r.code) codeSeen = true;
      }
      if (!ruleSeen) tally(this.byRule, r.rule);
      if (!codeSeen) tally(this.byCode, r.code);
    }
    if (blocks) {
      this.wouldBlock++;
      bump(this.timeline, this.hours.key(event.timeNs));
      this.offerExample(this.blockExamples, outcome, event, call, candidate, undefined);
    }
    const from = baseline ? baseline.outcome : recordedOutcome(event);
    if (from === undefined) return;
    if (!baseline) this.comparedRecorded = true;
    if (from === outcome) return;
    const transition = transitionName(from, outcome);
    bump(this.changes, transition);
    this.offerExample(this.transitionExamples, transition, event, call, candidate, from);
  }

  private offerExample(
    lists: Map<string, RankedExample[]>,
    transition: string,
    event: TraceEvent,
    call: CallLabels,
    candidate: Decision,
    from: string | undefined,
  ): void {
    const limit = this.meta.examplesPerTransition;
    if (limit <= 0) return;
    let list = lists.get(transition);
    if (!list) {
      list = [];
      lists.set(transition, list);
    }
    // Most events come in time order: skip building an example that cannot make the cut.
    const last = list[list.length - 1];
    if (list.length >= limit && last && event.timeNs > last.ns) return;
    const example: ReportExample = {
      transition,
      ...(event.traceId !== undefined ? { trace_id: event.traceId } : {}),
      ...(event.spanId !== undefined ? { span_id: event.spanId } : {}),
      time: formatRfc3339Ns(event.timeNs),
      file: event.origin.file,
      line: event.origin.line,
      agent: call.agent,
      ...(call.tenant !== undefined ? { tenant: call.tenant } : {}),
      tool: call.tool,
      ...(call.action !== undefined ? { action: call.action } : {}),
      outcome: candidate.outcome,
      ...(from !== undefined ? { baseline: from } : {}),
      // The same report bytes whichever engine decided.
      reasons: candidate.reasons.map(reasonInOrder),
    };
    insertBounded(list, { ns: event.timeNs, example }, limit, compareExamples);
  }

  finish(): SimulationReport {
    const meta = this.meta;
    const comparedWith = meta.baseline ? 'baseline' : this.comparedRecorded ? 'recorded' : 'none';
    const examples = comparedWith === 'none' ? this.blockExamples : this.transitionExamples;
    return {
      format_version: REPORT_FORMAT_VERSION,
      events: this.events,
      evaluated: this.evaluated,
      skipped: this.skipped,
      malformed: this.malformed,
      ...(meta.timeFiltered ? { filtered: this.filtered } : {}),
      late: this.late,
      erased: this.erased,
      outcomes: { ...this.outcomes },
      would_block: this.wouldBlock,
      by_agent: sortedRecord(this.byAgent),
      by_tool: sortedRecord(this.byTool),
      by_rule: sortedRecord(tallies(this.byRule)),
      by_code: sortedRecord(tallies(this.byCode)),
      changes: sortedRecord(this.changes),
      compared_with: comparedWith,
      examples: orderedExamples(examples),
      examples_per_transition: meta.examplesPerTransition,
      timeline: sortedRecord(this.timeline),
      first_malformed: [...this.firstMalformed],
      ...(meta.shard !== undefined ? { shard: meta.shard } : {}),
      policy: { ...meta.policy },
      ...(meta.baseline ? { baseline: { ...meta.baseline } } : {}),
    };
  }
}

/** Grouped by transition (sorted), each group in (time, file, line) order. */
export function orderedExamples(groups: Map<string, RankedExample[]>): ReportExample[] {
  return [...groups]
    .sort(([a], [b]) => compareText(a, b))
    .flatMap(([, list]) => list.map((r) => r.example));
}
