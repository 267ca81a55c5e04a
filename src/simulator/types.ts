/**
 * The simulator's shared shapes: what every trace reader yields (TraceRecord) and the report a
 * replay produces (SimulationReport, the JSON of CLI.md `simulate`, format version checked on
 * read by `aegis report merge`). POLICY-LANGUAGE.md sections 8 and 9 are the semantics.
 */
import type { Outcome, Reason } from '../engine/decision.js';

export type TraceFormat = 'aegis-jsonl' | 'otlp-json' | 'opa-decision-log';

/** Where a record came from, for messages and examples. */
export interface TraceOrigin {
  file: string;
  /** 1-based line of the record (of the line holding it, for one-object-per-file formats). */
  line: number;
  /**
   * The file's place among the run's trace files, in the order given (absent: 0). Events of
   * the same time are replayed in this order, then in line order (POLICY-LANGUAGE.md section 8,
   * "ties keep file order"), whatever order the merge and the reorder window saw them in.
   */
  source?: number;
}

/** One recorded tool call, turned into a decision input (section 3). */
export interface TraceEvent {
  kind: 'event';
  origin: TraceOrigin;
  format: TraceFormat;
  /** Nanoseconds since the epoch (exact). */
  timeNs: bigint;
  /** The decision input; `context.usage` is recomputed by the replay, never taken from here. */
  input: Record<string, unknown>;
  /** The decision recorded with the call, when the trace has one. */
  recorded?: { decision?: string; outcome?: string };
  traceId?: string;
  spanId?: string;
  /**
   * Decision-log events whose `erased` or `masked` lists paths under /input (removed or replaced
   * by OPA's mask policy): evaluated, but flagged.
   */
  erased?: string[];
  /**
   * aegis JSON Lines: set when the line had `\u` escapes. Without them its strings cannot hold
   * lone surrogates (UTF-8 cannot encode one), so the input is JSON data as OPA decodes it
   * as soon as its numbers are finite: the replay checks just that (json.ts).
   */
  escapes?: true;
  /**
   * The JSON line this event was read from, alone on it, when the readers were asked to keep
   * it (ReadTracesOptions.keepText): a replay split over threads sends another thread this text
   * to parse, which costs the sending thread far less than copying the parsed input would.
   */
  text?: string;
}

/** A record that is not a tool call (another span, another decision path): counted only. */
export interface TraceSkip {
  kind: 'skip';
  origin: TraceOrigin;
  reason: string;
}

/** A record that could not be used (bad JSON, no usable time, ...): counted and listed. */
export interface TraceMalformed {
  kind: 'malformed';
  origin: TraceOrigin;
  error: string;
}

export type TraceRecord = TraceEvent | TraceSkip | TraceMalformed;

export const REPORT_FORMAT_VERSION = 1;

export interface OutcomeCounts {
  allow: number;
  sanitize: number;
  approval_needed: number;
  deny: number;
}

export interface CountsWithBlocks extends OutcomeCounts {
  events: number;
  would_block: number;
}

export interface ReportExample {
  transition: string;
  trace_id?: string;
  span_id?: string;
  time: string;
  file: string;
  line: number;
  agent: string;
  tenant?: string;
  tool: string;
  action?: string;
  outcome: Outcome;
  baseline?: string;
  reasons: Reason[];
}

export interface SimulationReport {
  format_version: typeof REPORT_FORMAT_VERSION;
  /** Every record read: events + skipped + malformed. */
  events: number;
  evaluated: number;
  skipped: number;
  malformed: number;
  /** Events outside --since/--until: counted in `events`, not evaluated (only with those flags). */
  filtered?: number;
  /** Events that arrived later than the reorder window allowed (replayed out of order). */
  late: number;
  /** Decision-log events evaluated despite erased or masked input fields. */
  erased: number;
  outcomes: OutcomeCounts;
  would_block: number;
  by_agent: Record<string, CountsWithBlocks>;
  by_tool: Record<string, CountsWithBlocks>;
  by_rule: Record<string, number>;
  by_code: Record<string, number>;
  /** `"<from>-><to>"` outcome transitions, against --baseline or the recorded decision. */
  changes: Record<string, number>;
  /** What `changes` compares against. */
  compared_with: 'baseline' | 'recorded' | 'none';
  /** The first examples of each transition (and of would-blocks without a comparison). */
  examples: ReportExample[];
  /** The N of "the first N examples per transition" (merge keeps the same N). */
  examples_per_transition?: number;
  /** Would-block events per UTC hour, `YYYY-MM-DDTHH` -> n, sorted. */
  timeline: Record<string, number>;
  first_malformed: { file: string; line: number; error: string }[];
  /** `i/n` when this report covers one shard; merged reports have no shard. */
  shard?: string;
  /** Only beside `shard`: what every shard of one run shares (report merge checks it). */
  run?: ShardRun;
  policy: { revision: string; engine: string };
  baseline?: { revision: string };
}

/**
 * What the shards of one run have in common, so that `report merge` can refuse shards of
 * different runs: every shard reads every record of the traces, and the time filter and the
 * reorder window decide which events count and in what order.
 */
export interface ShardRun {
  /** Trace records read, of every shard's keys (and malformed ones). */
  records: number;
  /**
   * A fingerprint of those records (run-fingerprint.ts): shards of other traces with as many
   * records are told apart. Absent in reports of an aegis before it.
   */
  traces?: string;
  /** --since and --until as RFC 3339, when given. */
  since?: string;
  until?: string;
  reorder_window_ms: number;
}
