/**
 * `aegis report merge`: shard reports (or reports of disjoint traces) -> one report. For the
 * shards of one `--shard i/n` run the result is exactly the report of the unsharded run:
 * counters and maps are sums, examples are the earliest N per transition by (time, file,
 * line), first_malformed the first 20 by (file, line), the same orders report.ts uses.
 *
 * Refused (InputError): another format_version, different policy revisions, engines, baselines
 * or example counts, and shard sets that cannot add up to one run (a shard twice, different
 * shard counts, sharded mixed with unsharded, a shard missing, or shards whose `run` differs:
 * other traces, time filter or reorder window).
 */
import { InputError } from '../errors.js';
import {
  compareExamples,
  compareMalformed,
  emptyCounts,
  emptyOutcomes,
  insertBounded,
  MALFORMED_LISTED,
  type MalformedEntry,
  OUTCOMES,
  orderedExamples,
  type RankedExample,
  rankExample,
  sortedRecord,
} from './report.js';
import { parseShard } from './shard.js';
import {
  type CountsWithBlocks,
  REPORT_FORMAT_VERSION,
  type ShardRun,
  type SimulationReport,
} from './types.js';

const DEFAULT_EXAMPLES = 5;
const COUNTERS = [
  'events',
  'evaluated',
  'skipped',
  'malformed',
  'late',
  'erased',
  'would_block',
] as const;

export function mergeReports(reports: readonly SimulationReport[]): SimulationReport {
  const first = reports[0];
  if (!first) throw new InputError('report merge: no reports to merge');
  reports.forEach(checkShape);
  checkCompatible(reports, first);
  checkShards(reports);

  const perTransition = reports.find(
    (r) => r.examples_per_transition !== undefined,
  )?.examples_per_transition;
  const comparedWith = first.baseline
    ? 'baseline'
    : reports.some((r) => r.compared_with === 'recorded')
      ? 'recorded'
      : 'none';
  const limit = perTransition ?? DEFAULT_EXAMPLES;
  const groups = new Map<string, RankedExample[]>();
  // A report that compared with nothing (no recorded decisions in its part of the trace) lists
  // would-block examples instead, which the merged comparison does not show; and it can have no
  // transition examples, so nothing is lost by leaving it out.
  for (const report of reports.filter((r) => r.compared_with === comparedWith)) {
    for (const example of report.examples) {
      let list = groups.get(example.transition);
      if (!list) {
        list = [];
        groups.set(example.transition, list);
      }
      insertBounded(list, rankExample(example), limit, compareExamples);
    }
  }
  const malformed: MalformedEntry[] = [];
  for (const entry of reports.flatMap((r) => r.first_malformed))
    insertBounded(malformed, { ...entry }, MALFORMED_LISTED, compareMalformed);

  const sum = (field: (typeof COUNTERS)[number]) =>
    reports.reduce((total, r) => total + r[field], 0);
  const anyFiltered = reports.some((r) => r.filtered !== undefined);
  const outcomes = emptyOutcomes();
  for (const r of reports) for (const o of OUTCOMES) outcomes[o] += r.outcomes[o];
  return {
    format_version: REPORT_FORMAT_VERSION,
    events: sum('events'),
    evaluated: sum('evaluated'),
    skipped: sum('skipped'),
    malformed: sum('malformed'),
    ...(anyFiltered ? { filtered: reports.reduce((t, r) => t + (r.filtered ?? 0), 0) } : {}),
    late: sum('late'),
    erased: sum('erased'),
    outcomes,
    would_block: sum('would_block'),
    by_agent: mergeCounts(reports.map((r) => r.by_agent)),
    by_tool: mergeCounts(reports.map((r) => r.by_tool)),
    by_rule: mergeNumbers(reports.map((r) => r.by_rule)),
    by_code: mergeNumbers(reports.map((r) => r.by_code)),
    changes: mergeNumbers(reports.map((r) => r.changes)),
    compared_with: comparedWith,
    examples: orderedExamples(groups),
    ...(perTransition !== undefined ? { examples_per_transition: perTransition } : {}),
    timeline: mergeNumbers(reports.map((r) => r.timeline)),
    first_malformed: malformed,
    policy: { ...first.policy },
    ...(first.baseline ? { baseline: { ...first.baseline } } : {}),
  };
}

function mergeNumbers(maps: readonly Record<string, number>[]): Record<string, number> {
  const out = new Map<string, number>();
  for (const map of maps)
    for (const [key, n] of Object.entries(map)) out.set(key, (out.get(key) ?? 0) + n);
  return sortedRecord(out);
}

function mergeCounts(
  maps: readonly Record<string, CountsWithBlocks>[],
): Record<string, CountsWithBlocks> {
  const out = new Map<string, CountsWithBlocks>();
  for (const map of maps) {
    for (const [key, counts] of Object.entries(map)) {
      const total = out.get(key) ?? emptyCounts();
      total.events += counts.events;
      total.would_block += counts.would_block;
      for (const o of OUTCOMES) total[o] += counts[o];
      out.set(key, total);
    }
  }
  return sortedRecord(out);
}

/** Enough of the shape to merge without crashing on a file that is not a report. */
function checkShape(report: SimulationReport, i: number): void {
  const where = `report merge: report ${i + 1}`;
  const r = report as unknown as Record<string, unknown>;
  if (typeof r !== 'object' || r === null) throw new InputError(`${where} is not an object`);
  if (r.format_version !== REPORT_FORMAT_VERSION)
    throw new InputError(
      `${where} has format_version ${JSON.stringify(r.format_version)}; this aegis reads ${REPORT_FORMAT_VERSION}`,
      'merge reports written by the same aegis version',
    );
  for (const field of COUNTERS)
    if (typeof r[field] !== 'number') throw new InputError(`${where} has no number "${field}"`);
  for (const field of [
    'outcomes',
    'by_agent',
    'by_tool',
    'by_rule',
    'by_code',
    'changes',
    'timeline',
    'policy',
  ])
    if (typeof r[field] !== 'object' || r[field] === null)
      throw new InputError(`${where} has no object "${field}"`);
  if (!Array.isArray(r.examples) || !Array.isArray(r.first_malformed))
    throw new InputError(`${where} has no "examples" or "first_malformed" list`);
  if (r.run !== undefined && (typeof r.run !== 'object' || r.run === null || Array.isArray(r.run)))
    throw new InputError(`${where} has a "run" that is not an object`);
}

function checkCompatible(reports: readonly SimulationReport[], first: SimulationReport): void {
  const same = (what: string, value: (r: SimulationReport) => unknown) => {
    const expected = value(first);
    const other = reports.findIndex((r) => value(r) !== expected);
    if (other >= 0)
      throw new InputError(
        `report merge: reports 1 and ${other + 1} have different ${what} (${String(expected)} vs ${String(value(reports[other] as SimulationReport))})`,
        'merge only the shards of one simulation run',
      );
  };
  same('policy revisions', (r) => r.policy.revision);
  same('engines', (r) => r.policy.engine);
  same('baselines', (r) => r.baseline?.revision ?? 'none');
  same('examples per transition', (r) => r.examples_per_transition ?? 'unset');
}

function checkShards(reports: readonly SimulationReport[]): void {
  const sharded = reports.filter((r) => r.shard !== undefined);
  if (sharded.length === 0) return;
  if (sharded.length !== reports.length)
    throw new InputError('report merge: shard reports cannot be merged with unsharded reports');
  const seen = new Set<number>();
  let count: number | undefined;
  for (const report of sharded) {
    const spec = parseShardOrThrow(report.shard ?? '');
    if (count !== undefined && spec.count !== count)
      throw new InputError(`report merge: shards of ${count} and of ${spec.count} runs mixed`);
    count = spec.count;
    if (seen.has(spec.index))
      throw new InputError(`report merge: shard ${report.shard} is given twice`);
    seen.add(spec.index);
  }
  checkSameRun(sharded);
  if (count !== undefined && seen.size !== count) {
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
    throw new InputError(
      `report merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`,
      'merge the reports of every shard of the run',
    );
  }
}

/**
 * Shards of one run read the same records with the same time filter and reorder window
 * (ShardRun). Reports of an aegis that wrote no `run` are compared as far as they can be.
 */
function checkSameRun(sharded: readonly SimulationReport[]): void {
  const first = sharded[0];
  if (!first) return;
  const fields: [keyof ShardRun, string][] = [
    ['records', 'trace records read'],
    ['traces', 'the records read (fingerprint)'],
    ['since', '--since'],
    ['until', '--until'],
    ['reorder_window_ms', '--reorder-window (ms)'],
  ];
  for (const report of sharded) {
    for (const [field, what] of fields) {
      const a = first.run?.[field];
      const b = report.run?.[field];
      if (a === b) continue;
      throw new InputError(
        `report merge: shards ${first.shard} and ${report.shard} are not of one run: ${what} ${a ?? 'none'} vs ${b ?? 'none'}`,
        'run every shard over the same traces with the same --since, --until and --reorder-window',
      );
    }
  }
}

function parseShardOrThrow(text: string) {
  try {
    return parseShard(text);
  } catch {
    throw new InputError(`report merge: "${text}" is not a shard (expected i/n)`);
  }
}
