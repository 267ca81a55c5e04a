import { isObject } from '../../engine/json.js';
import type { TraceFormat } from '../types.js';
import { isOpaLogLine } from './decision-log-record.js';

/**
 * A file's format, from its first value (the first element, for an array), never from its
 * name: traces get renamed, compressed and piped. OTLP has `resourceSpans`; an OPA decision
 * event has a `decision_id`, or a `path` with an `input` or a `result`; a line of OPA's own
 * logging (`level` and `msg`) means the console logger's output, where decision events are
 * interleaved with server messages. Anything else is read as aegis JSON Lines, whose error
 * messages then explain what a decision input needs.
 */
export function detectFormat(value: unknown): TraceFormat {
  const first = Array.isArray(value) ? value[0] : value;
  if (!isObject(first)) return 'aegis-jsonl';
  if ('resourceSpans' in first) return 'otlp-json';
  if (
    'decision_id' in first ||
    ('path' in first && ('input' in first || 'result' in first)) ||
    isOpaLogLine(first)
  ) {
    return 'opa-decision-log';
  }
  return 'aegis-jsonl';
}
