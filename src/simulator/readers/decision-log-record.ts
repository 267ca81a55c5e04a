/**
 * One OPA decision-log event (POLICY-LANGUAGE.md 9.3) -> a record. The events come from the
 * HTTP upload format (a JSON array), a log shipper (JSON Lines), or OPA's console decision
 * logger, whose lines carry the event fields inline next to `level`, `msg` and `time`:
 *
 *   {"decision_id":"...","input":{...},"level":"info","msg":"Decision Log",
 *    "path":"aegis/decision","result":{...},"timestamp":"2026-11-25T18:00:39.897795101Z",...}
 *
 * The console output also holds OPA's own log lines ("Received request.", "Sent response.");
 * those are not decisions at all and yield nothing, so that `skipped` counts decisions on
 * other paths, not two lines of server chatter per request.
 */
import { isObject, type JsonObject } from '../../engine/json.js';
import { parseRfc3339Ns } from '../../engine/rfc3339.js';
import type { TraceOrigin, TraceRecord } from '../types.js';
import { formatRfc3339Ns } from './format-rfc3339.js';
import { recordedDecision } from './recorded-decision.js';
import { normalizeLooseId } from './trace-id.js';

/**
 * How the aegis decision shows up in `path`: OPA writes the data path without `data`
 * (`aegis/decision` for `POST /v1/data/aegis/decision`); the Go SDK keeps the leading `/`.
 * The dotted reference `data.aegis.decision` is accepted too, because wrappers that log
 * through the SDK often pass the rule as they would write it in Rego.
 */
const DECISION_PATHS = new Set(['aegis/decision', '/aegis/decision', 'data.aegis.decision']);

/** A line of OPA's own logging (logrus JSON), as opposed to a decision event. */
export function isOpaLogLine(value: JsonObject): boolean {
  return typeof value.level === 'string' && typeof value.msg === 'string';
}

export function decisionLogRecord(value: unknown, origin: TraceOrigin): TraceRecord | undefined {
  if (!isObject(value)) {
    return { kind: 'malformed', origin, error: 'not a JSON object (a decision-log event)' };
  }
  const { path } = value;
  if (path === undefined && value.decision_id === undefined && isOpaLogLine(value)) {
    return undefined;
  }
  if (typeof path !== 'string') {
    return {
      kind: 'skip',
      origin,
      reason:
        value.query !== undefined
          ? 'decision-log event of an ad-hoc query, not of a decision path'
          : 'decision-log event without a path',
    };
  }
  if (!DECISION_PATHS.has(path)) {
    return { kind: 'skip', origin, reason: `decision path ${path} is not aegis/decision` };
  }
  // OPA's mask policy removes fields (`erased`) or replaces them (`masked`, say with
  // "**REDACTED**"): either way the input logged is not the one decided on, so the replay of
  // such an event is flagged, not taken for the real thing.
  const erased = inputPaths(value.erased);
  const masked = inputPaths(value.masked);
  const erasedInput = [...erased, ...masked];
  const { input, timestamp } = value;
  if (!isObject(input)) {
    return {
      kind: 'malformed',
      origin,
      error: erased.includes('/input')
        ? 'decision-log event has its whole input erased'
        : masked.includes('/input')
          ? 'decision-log event has its whole input masked'
          : 'decision-log event has no input object',
    };
  }
  if (typeof timestamp !== 'string') {
    return { kind: 'malformed', origin, error: 'decision-log event has no timestamp' };
  }
  const timeNs = parseRfc3339Ns(timestamp);
  if (timeNs === undefined) {
    return {
      kind: 'malformed',
      origin,
      error: `timestamp ${JSON.stringify(timestamp.slice(0, 64))} is not an RFC 3339 time`,
    };
  }
  const recorded = recordedDecision(value.result);
  const traceId = normalizeLooseId(value.trace_id);
  const spanId = normalizeLooseId(value.span_id);
  return {
    kind: 'event',
    origin,
    format: 'opa-decision-log',
    timeNs,
    input: withTime(input, timeNs),
    ...(recorded ? { recorded } : {}),
    ...(traceId ? { traceId } : {}),
    ...(spanId ? { spanId } : {}),
    ...(erasedInput.length > 0 ? { erased: erasedInput } : {}),
  };
}

/** The JSON pointers under /input among an event's `erased` or `masked` list. */
function inputPaths(list: unknown): string[] {
  return Array.isArray(list)
    ? list.filter(
        (p): p is string => typeof p === 'string' && (p === '/input' || p.startsWith('/input/')),
      )
    : [];
}

/**
 * The input the gateway sent may leave `context.time` out ("now"); OPA evaluated it at the
 * event's timestamp, so the replay must too. A time that is there is kept: it is what the
 * policy saw.
 */
function withTime(input: JsonObject, timeNs: bigint): JsonObject {
  const context = input.context;
  // A context that is not an object is left for the policy to reject as it did.
  if (context !== undefined && !isObject(context)) return input;
  if (isObject(context) && context.time !== undefined) return input;
  const time = formatRfc3339Ns(timeNs);
  return { ...input, context: isObject(context) ? { ...context, time } : { time } };
}
