/**
 * One OTLP/JSON `{"resourceSpans": [...]}` document (POLICY-LANGUAGE.md 9.2), as the
 * collector's file exporter writes it, -> one record per span. Tool calls are the spans of
 * the OpenTelemetry GenAI conventions' `execute_tool` operation (or any span naming a tool);
 * their attributes, the resource's underneath, map onto a decision input. `kind` and
 * `status` play no part in the mapping, so their form (enum name or number) does not matter.
 */
import { InputTooDeepError, isObject, type Json, type JsonObject } from '../../engine/json.js';
import type { TraceOrigin, TraceRecord } from '../types.js';
import { addAttributes } from './any-value.js';
import { formatRfc3339Ns } from './format-rfc3339.js';
import type { SeenSpans } from './seen-spans.js';
import { normalizeId } from './trace-id.js';

const INT64_MAX = 9_223_372_036_854_775_807n;
const DIGITS = /^\d+$/;

/**
 * The integer fields whose values can exceed 2^53 (every Unix-nanosecond time does), quoted
 * before `JSON.parse` so that they arrive exactly: the protobuf JSON mapping allows them as
 * bare numbers, and `JSON.parse` would round them to a double. Inside a JSON string these
 * names can only appear with escaped quotes, which the pattern does not match.
 */
const BIG_INTEGER_FIELD =
  /("(?:startTimeUnixNano|endTimeUnixNano|timeUnixNano|observedTimeUnixNano|intValue)"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g;

export function parseOtlpJson(text: string): unknown {
  return JSON.parse(text.replace(BIG_INTEGER_FIELD, '$1"$2"'));
}

export function otlpRecords(
  document: unknown,
  origin: TraceOrigin,
  seen: SeenSpans,
  out: TraceRecord[],
): void {
  if (!isObject(document) || !Array.isArray(document.resourceSpans)) {
    out.push({ kind: 'malformed', origin, error: 'not an OTLP JSON object (no resourceSpans)' });
    return;
  }
  for (const resourceSpans of document.resourceSpans) {
    if (!isObject(resourceSpans)) {
      out.push({ kind: 'malformed', origin, error: 'a resourceSpans entry is not an object' });
      continue;
    }
    const resourceAttributes = new Map<string, Json>();
    const resource = resourceSpans.resource;
    try {
      if (isObject(resource)) addAttributes(resourceAttributes, resource.attributes);
    } catch (error) {
      if (!(error instanceof InputTooDeepError)) throw error;
      out.push({ kind: 'malformed', origin, error: `a resource attribute: ${error.message}` });
      continue;
    }
    // `instrumentationLibrarySpans` is what collectors before OTLP 0.15 (2022) wrote.
    const scopes = resourceSpans.scopeSpans ?? resourceSpans.instrumentationLibrarySpans;
    if (!Array.isArray(scopes)) continue;
    for (const scope of scopes) {
      const spans = isObject(scope) ? scope.spans : undefined;
      if (!Array.isArray(spans)) continue;
      for (const span of spans) out.push(spanRecord(span, resourceAttributes, origin, seen));
    }
  }
}

function spanRecord(
  span: Json,
  resourceAttributes: ReadonlyMap<string, Json>,
  origin: TraceOrigin,
  seen: SeenSpans,
): TraceRecord {
  if (!isObject(span)) return { kind: 'malformed', origin, error: 'a span is not an object' };
  // Span attributes are added last: they win over the resource's.
  const attributes = new Map(resourceAttributes);
  try {
    addAttributes(attributes, span.attributes);
  } catch (error) {
    if (!(error instanceof InputTooDeepError)) throw error;
    return { kind: 'malformed', origin, error: `a span attribute: ${error.message}` };
  }
  const attribute = (key: string) => {
    const v = attributes.get(key);
    return v === null ? undefined : v;
  };

  const toolName = attribute('gen_ai.tool.name');
  if (attribute('gen_ai.operation.name') !== 'execute_tool' && toolName === undefined) {
    const name = typeof span.name === 'string' ? ` ${JSON.stringify(span.name)}` : '';
    return { kind: 'skip', origin, reason: `span${name} is not a tool call` };
  }
  const traceId = normalizeId(span.traceId, 16);
  const spanId = normalizeId(span.spanId, 8);
  if (traceId !== undefined && spanId !== undefined && !seen.add(traceId, spanId)) {
    return { kind: 'skip', origin, reason: `duplicate span ${spanId} of trace ${traceId}` };
  }
  const malformed = (error: string): TraceRecord => ({ kind: 'malformed', origin, error });

  const timeNs = unixNanos(span.startTimeUnixNano);
  if (timeNs === undefined) return malformed('tool span has no valid startTimeUnixNano');
  if (typeof toolName !== 'string' || toolName === '') {
    return malformed('tool span has no gen_ai.tool.name');
  }
  const agentId = attribute('gen_ai.agent.id') ?? attribute('aegis.agent.id');
  if (typeof agentId !== 'string' || agentId === '') {
    return malformed('tool span has no gen_ai.agent.id (or aegis.agent.id)');
  }
  const params = toolArguments(attribute('gen_ai.tool.call.arguments'));
  if (params === false) {
    return malformed('gen_ai.tool.call.arguments is not a JSON object');
  }

  const tenant = attribute('aegis.tenant');
  const action = attribute('aegis.tool.action');
  const host = attribute('server.address');
  const region = attribute('cloud.region');
  const cost = attribute('aegis.cost_usd');
  const decision = attribute('aegis.decision');
  const input: JsonObject = {
    agent: { id: agentId, ...(tenant !== undefined ? { tenant } : {}) },
    tool: { name: toolName, ...(action !== undefined ? { action } : {}) },
    ...(params !== undefined ? { params } : {}),
    ...(host !== undefined ? { egress: { host } } : {}),
    context: {
      time: formatRfc3339Ns(timeNs),
      ...(region !== undefined ? { region } : {}),
      ...(cost !== undefined ? { cost_usd: cost } : {}),
    },
  };
  return {
    kind: 'event',
    origin,
    format: 'otlp-json',
    timeNs,
    input,
    ...(typeof decision === 'string' ? { recorded: { decision } } : {}),
    ...(traceId !== undefined ? { traceId } : {}),
    ...(spanId !== undefined ? { spanId } : {}),
  };
}

/** Exact nanoseconds from a string of digits or a (safe) number; undefined for 0 (unset). */
function unixNanos(raw: Json | undefined): bigint | undefined {
  let ns: bigint;
  if (typeof raw === 'string' && DIGITS.test(raw)) ns = BigInt(raw);
  else if (typeof raw === 'number' && Number.isSafeInteger(raw)) ns = BigInt(raw);
  else return undefined;
  return ns > 0n && ns <= INT64_MAX ? ns : undefined;
}

/**
 * The call's arguments: a JSON string (what the GenAI conventions record) or a structured
 * kvlist; undefined when absent, false when they are not an object.
 */
function toolArguments(value: Json | undefined): JsonObject | undefined | false {
  if (value === undefined) return undefined;
  if (isObject(value)) return value;
  if (typeof value !== 'string') return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : false;
  } catch {
    return false;
  }
}
