/**
 * One line of aegis JSON Lines (POLICY-LANGUAGE.md 9.1) -> a record: the decision input as the
 * gateway sent it, with the time it happened (`context.time`, required here because "now"
 * means nothing in a replay) and the trace's own fields taken out of it.
 */
import { isObject } from '../../engine/json.js';
import { parseRfc3339Ns } from '../../engine/rfc3339.js';
import type { TraceEvent, TraceOrigin, TraceRecord } from '../types.js';
import { recordedDecision } from './recorded-decision.js';
import { normalizeLooseId } from './trace-id.js';

/** `escapes`: whether the JSON text of the value had `\u` escapes (TraceEvent.escapes). */
export function aegisRecord(value: unknown, origin: TraceOrigin, escapes: boolean): TraceRecord {
  if (!isObject(value)) {
    return { kind: 'malformed', origin, error: 'not a JSON object (a decision input)' };
  }
  const context = value.context;
  const time = isObject(context) ? context.time : undefined;
  if (time === undefined) {
    return {
      kind: 'malformed',
      origin,
      error: 'context.time is missing: each call in a trace needs the time it was made',
    };
  }
  if (typeof time !== 'string') {
    return { kind: 'malformed', origin, error: 'context.time is not a string' };
  }
  const timeNs = parseRfc3339Ns(time);
  if (timeNs === undefined) {
    return {
      kind: 'malformed',
      origin,
      error: `context.time ${JSON.stringify(time.slice(0, 64))} is not an RFC 3339 time`,
    };
  }
  const hasTraceFields = 'recorded' in value || 'trace_id' in value || 'span_id' in value;
  if (!hasTraceFields) {
    const event: TraceEvent = {
      kind: 'event',
      origin,
      format: 'aegis-jsonl',
      timeNs,
      input: value,
    };
    if (escapes) event.escapes = true;
    return event;
  }
  const { recorded, trace_id, span_id, ...input } = value;
  // Optional fields assigned one by one, not spread: this is the per-line hot path.
  const event: TraceEvent = { kind: 'event', origin, format: 'aegis-jsonl', timeNs, input };
  if (escapes) event.escapes = true;
  const decision = recordedDecision(recorded);
  if (decision) event.recorded = decision;
  const traceId = normalizeLooseId(trace_id);
  if (traceId) event.traceId = traceId;
  const spanId = normalizeLooseId(span_id);
  if (spanId) event.spanId = spanId;
  return event;
}
