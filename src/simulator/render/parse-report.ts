/**
 * A JSON report read back from disk (`aegis report merge`): its format_version checked first
 * (STYLE.md 3), then every field the merge and the renderers touch, so that a file that is not
 * a report, or was edited by hand, is one clear input error rather than a crash or markup
 * smuggled into the HTML through a field that should have been a number.
 */
import { InputError } from '../../errors.js';
import { printable } from '../../render/printable.js';
import { REPORT_FORMAT_VERSION, type SimulationReport } from '../types.js';

type Json = Record<string, unknown>;

const COUNTERS = [
  'events',
  'evaluated',
  'skipped',
  'malformed',
  'late',
  'erased',
  'would_block',
] as const;
const OUTCOME_KEYS = ['allow', 'sanitize', 'approval_needed', 'deny'] as const;
const COUNT_KEYS = ['events', 'would_block', ...OUTCOME_KEYS] as const;
const COMPARED = ['baseline', 'recorded', 'none'];

class Bad extends Error {}

export function parseReport(text: string, name: string): SimulationReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`${name}: not JSON (${printable(reason)})`);
  }
  if (!isObject(value) || !('format_version' in value)) {
    throw new InputError(`${name}: not an aegis simulation report (no format_version)`);
  }
  if (value.format_version !== REPORT_FORMAT_VERSION) {
    throw new InputError(
      `${name}: report format_version ${printable(JSON.stringify(value.format_version) ?? '?')}; this aegis reads ${REPORT_FORMAT_VERSION}`,
      'merge reports written by the same aegis version',
    );
  }
  try {
    checkShape(value);
  } catch (error) {
    if (error instanceof Bad) throw new InputError(`${name}: not a valid report: ${error.message}`);
    throw error;
  }
  return value as unknown as SimulationReport;
}

function checkShape(r: Json): void {
  for (const key of COUNTERS) count(r, key, '');
  if (r.filtered !== undefined) count(r, 'filtered', '');
  if (r.examples_per_transition !== undefined) count(r, 'examples_per_transition', '');
  const outcomes = object(r, 'outcomes', '');
  for (const key of OUTCOME_KEYS) count(outcomes, key, '/outcomes');
  for (const table of ['by_agent', 'by_tool'] as const) {
    for (const [id, counts] of Object.entries(object(r, table, ''))) {
      const at = `/${table}/${pointer(id)}`;
      if (!isObject(counts)) throw new Bad(`${at} is not an object`);
      for (const key of COUNT_KEYS) count(counts, key, at);
    }
  }
  for (const table of ['by_rule', 'by_code', 'changes', 'timeline'] as const) {
    const map = object(r, table, '');
    for (const id of Object.keys(map)) count(map, id, `/${table}`);
  }
  if (typeof r.compared_with !== 'string' || !COMPARED.includes(r.compared_with))
    throw new Bad(`/compared_with is not one of ${COMPARED.join(', ')}`);
  list(r, 'examples').forEach((e, i) => {
    const at = `/examples/${i}`;
    if (!isObject(e)) throw new Bad(`${at} is not an object`);
    for (const key of ['transition', 'time', 'file', 'agent', 'tool', 'outcome'])
      string(e, key, at);
    for (const key of ['trace_id', 'span_id', 'tenant', 'action', 'baseline'])
      if (e[key] !== undefined) string(e, key, at);
    count(e, 'line', at);
    list(e, 'reasons', at).forEach((reason, j) => {
      if (!isObject(reason)) throw new Bad(`${at}/reasons/${j} is not an object`);
      for (const key of ['code', 'effect', 'rule', 'message'])
        string(reason, key, `${at}/reasons/${j}`);
    });
  });
  list(r, 'first_malformed').forEach((m, i) => {
    const at = `/first_malformed/${i}`;
    if (!isObject(m)) throw new Bad(`${at} is not an object`);
    string(m, 'file', at);
    string(m, 'error', at);
    count(m, 'line', at);
  });
  if (r.shard !== undefined) string(r, 'shard', '');
  if (r.run !== undefined) {
    const run = object(r, 'run', '');
    count(run, 'records', '/run');
    if (run.traces !== undefined) string(run, 'traces', '/run');
    const window = run.reorder_window_ms;
    if (typeof window !== 'number' || !(window >= 0) || !Number.isFinite(window))
      throw new Bad('/run/reorder_window_ms is not a duration (a non-negative number)');
    if (run.since !== undefined) string(run, 'since', '/run');
    if (run.until !== undefined) string(run, 'until', '/run');
  }
  const policy = object(r, 'policy', '');
  string(policy, 'revision', '/policy');
  string(policy, 'engine', '/policy');
  if (r.baseline !== undefined) string(object(r, 'baseline', ''), 'revision', '/baseline');
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pointer(key: string): string {
  return printable(key.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function count(o: Json, key: string, at: string): void {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new Bad(`${at}/${pointer(key)} is not a count (a non-negative integer)`);
}

function string(o: Json, key: string, at: string): void {
  if (typeof o[key] !== 'string') throw new Bad(`${at}/${pointer(key)} is not a string`);
}

function object(o: Json, key: string, at: string): Json {
  const v = o[key];
  if (!isObject(v)) throw new Bad(`${at}/${pointer(key)} is not an object`);
  return v;
}

function list(o: Json, key: string, at = ''): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new Bad(`${at}/${pointer(key)} is not a list`);
  return v;
}
