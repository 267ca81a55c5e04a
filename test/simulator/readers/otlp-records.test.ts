import { describe, expect, it } from 'vitest';
import { decodeAnyValue, decodeKeyValues } from '../../../src/simulator/readers/any-value.js';
import { otlpRecords, parseOtlpJson } from '../../../src/simulator/readers/otlp-records.js';
import { SeenSpans } from '../../../src/simulator/readers/seen-spans.js';
import { normalizeId } from '../../../src/simulator/readers/trace-id.js';
import type { TraceRecord } from '../../../src/simulator/types.js';

const origin = { file: 'spans.json', line: 7 };
const str = (key: string, stringValue: string) => ({ key, value: { stringValue } });
const TOOL = [str('gen_ai.tool.name', 'stripe-payments'), str('gen_ai.agent.id', 'finance-agent')];

function spanText(span: Record<string, unknown>, resource: unknown[] = []): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ spans: [span] }] }],
  });
}

function records(text: string, seen = new SeenSpans()): TraceRecord[] {
  const out: TraceRecord[] = [];
  otlpRecords(parseOtlpJson(text), origin, seen, out);
  return out;
}

function only(text: string): TraceRecord {
  const [record, ...rest] = records(text);
  expect(rest).toEqual([]);
  if (!record) throw new Error('no record');
  return record;
}

describe('AnyValue', () => {
  it.each([
    [{ stringValue: 'x' }, 'x'],
    [{ intValue: '42' }, 42],
    [{ intValue: 42 }, 42],
    [{ intValue: '-7' }, -7],
    [{ intValue: '9007199254740993' }, 9007199254740992],
    [{ intValue: 'x' }, null],
    [{ doubleValue: 0.35 }, 0.35],
    [{ doubleValue: '0.35' }, 0.35],
    [{ doubleValue: 'NaN' }, null],
    [{ doubleValue: 'Infinity' }, null],
    [{ doubleValue: '' }, null],
    [{ boolValue: true }, true],
    [{ boolValue: false }, false],
    [{ bytesValue: 'AQID' }, 'AQID'],
    [{ arrayValue: { values: [{ intValue: '1' }, { stringValue: 'a' }, {}] } }, [1, 'a', null]],
    [{ arrayValue: {} }, []],
    [
      { kvlistValue: { values: [str('a', 'b'), { key: 'n', value: { boolValue: true } }] } },
      { a: 'b', n: true },
    ],
    [{}, null],
    ['not an AnyValue', null],
  ])('decodes %j', (value, expected) => {
    expect(decodeAnyValue(value)).toStrictEqual(expected);
  });

  it('keeps a key named __proto__ as data', () => {
    const decoded = decodeKeyValues([str('__proto__', 'x'), str('b', 'y')]);
    expect(Object.keys(decoded)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });
});

describe('ids', () => {
  it.each([
    ['5B8EFFF798038103D269B633813FC60C', 16, '5b8efff798038103d269b633813fc60c'],
    ['W47/95gDgQPSabYzgT/GDA==', 16, '5b8efff798038103d269b633813fc60c'],
    ['W47_95gDgQPSabYzgT_GDA', 16, '5b8efff798038103d269b633813fc60c'],
    ['EEE19B7EC3C1B174', 8, 'eee19b7ec3c1b174'],
    ['7uGbfsPBsXQ=', 8, 'eee19b7ec3c1b174'],
    ['eee19b7ec3c1b17', 8, undefined],
    ['7uGbfsPBsXQ=', 16, undefined],
    ['not-an-id!', 8, undefined],
    ['', 8, undefined],
    [42, 8, undefined],
  ])('%j as a %d-byte id is %j', (raw, bytes, expected) => {
    expect(normalizeId(raw, bytes)).toBe(expected);
  });
});

describe('spans', () => {
  it('maps every attribute of section 9.2, span over resource', () => {
    const text = spanText(
      {
        traceId: '0AF7651916CD43DD8448EB211C80319C',
        spanId: 'B7AD6B7169203331',
        kind: 'SPAN_KIND_CLIENT',
        status: { code: 2 },
        startTimeUnixNano: '1795014600000000001',
        attributes: [
          str('gen_ai.operation.name', 'execute_tool'),
          str('gen_ai.tool.name', 'stripe-payments'),
          str('aegis.tool.action', 'create_payment'),
          str('gen_ai.tool.call.arguments', '{"amount":50,"note":"\\"intValue\\": 12"}'),
          str('server.address', 'api.stripe.com'),
          { key: 'aegis.cost_usd', value: { doubleValue: 0.35 } },
          str('cloud.region', 'eu-west-1'),
          str('aegis.decision', 'deny'),
          str('aegis.agent.id', 'ignored-when-gen_ai.agent.id-is-set'),
        ],
      },
      [
        str('gen_ai.agent.id', 'finance-agent'),
        str('aegis.tenant', 'acme'),
        str('cloud.region', 'us-east-1'),
        str('service.name', 'finance-agent'),
      ],
    );
    expect(only(text)).toStrictEqual({
      kind: 'event',
      origin,
      format: 'otlp-json',
      timeNs: 1_795_014_600_000_000_001n,
      input: {
        agent: { id: 'finance-agent', tenant: 'acme' },
        tool: { name: 'stripe-payments', action: 'create_payment' },
        params: { amount: 50, note: '"intValue": 12' },
        egress: { host: 'api.stripe.com' },
        context: { time: '2026-11-18T15:10:00.000000001Z', region: 'eu-west-1', cost_usd: 0.35 },
      },
      recorded: { decision: 'deny' },
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    });
  });

  it('keeps nanosecond times exact when written as bare numbers', () => {
    const text = spanText({ startTimeUnixNano: 'T', attributes: TOOL }).replace(
      '"T"',
      '1795014600999999999',
    );
    expect(only(text)).toMatchObject({
      timeNs: 1_795_014_600_999_999_999n,
      input: { context: { time: '2026-11-18T15:10:00.999999999Z' } },
    });
    const ints = spanText({
      startTimeUnixNano: '1',
      attributes: [
        ...TOOL,
        {
          key: 'gen_ai.tool.call.arguments',
          value: { kvlistValue: { values: [{ key: 'n', value: { intValue: 'N' } }] } },
        },
      ],
    }).replace('"N"', '12');
    expect(only(ints)).toMatchObject({ input: { params: { n: 12 } } });
  });

  it.each([
    [{ attributes: TOOL }, 'tool span has no valid startTimeUnixNano'],
    [{ startTimeUnixNano: '0', attributes: TOOL }, 'tool span has no valid startTimeUnixNano'],
    [{ startTimeUnixNano: '-5', attributes: TOOL }, 'tool span has no valid startTimeUnixNano'],
    [
      { startTimeUnixNano: '9223372036854775808', attributes: TOOL },
      'tool span has no valid startTimeUnixNano',
    ],
    [{ startTimeUnixNano: 1.5, attributes: TOOL }, 'tool span has no valid startTimeUnixNano'],
    [
      {
        startTimeUnixNano: '1',
        attributes: [str('gen_ai.operation.name', 'execute_tool'), TOOL[1]],
      },
      'tool span has no gen_ai.tool.name',
    ],
    [
      { startTimeUnixNano: '1', attributes: [TOOL[0]] },
      'tool span has no gen_ai.agent.id (or aegis.agent.id)',
    ],
    [
      {
        startTimeUnixNano: '1',
        attributes: [...TOOL, str('gen_ai.tool.call.arguments', '{"amount":')],
      },
      'gen_ai.tool.call.arguments is not a JSON object',
    ],
    [
      { startTimeUnixNano: '1', attributes: [...TOOL, str('gen_ai.tool.call.arguments', '[1,2]')] },
      'gen_ai.tool.call.arguments is not a JSON object',
    ],
  ])('%j is malformed: %s', (span, error) => {
    expect(only(spanText(span))).toEqual({ kind: 'malformed', origin, error });
  });

  it('skips spans that are not tool calls and reads the older instrumentationLibrarySpans', () => {
    const text = JSON.stringify({
      resourceSpans: [
        {
          instrumentationLibrarySpans: [
            {
              spans: [
                { name: 'chat', attributes: [str('gen_ai.operation.name', 'chat')] },
                { startTimeUnixNano: '1', attributes: TOOL },
              ],
            },
          ],
        },
        'junk',
      ],
    });
    expect(records(text).map((r) => (r.kind === 'skip' ? r.reason : r.kind))).toEqual([
      'span "chat" is not a tool call',
      'event',
      'malformed',
    ]);
  });

  it('counts a span once per trace and span id, but never merges spans without ids', () => {
    const seen = new SeenSpans();
    const span = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      startTimeUnixNano: '1',
      attributes: TOOL,
    };
    expect(only(spanText(span)).kind).toBe('event');
    expect(records(spanText(span), seen).map((r) => r.kind)).toEqual(['event']);
    expect(records(spanText({ ...span, spanId: 't61rcWkgMzE=' }), seen)).toEqual([
      {
        kind: 'skip',
        origin,
        reason: 'duplicate span b7ad6b7169203331 of trace 0af7651916cd43dd8448eb211c80319c',
      },
    ]);
    const anonymous = { startTimeUnixNano: '1', attributes: TOOL };
    expect(records(spanText(anonymous), seen)[0]?.kind).toBe('event');
    expect(records(spanText(anonymous), seen)[0]?.kind).toBe('event');
  });

  it('forgets the oldest span past its bound', () => {
    const seen = new SeenSpans(2);
    expect([seen.add('t', 'a'), seen.add('t', 'b'), seen.add('t', 'a')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(seen.add('t', 'c')).toBe(true);
    expect(seen.size).toBe(2);
    expect(seen.add('t', 'a')).toBe(true);
    expect(seen.add('t', 'c')).toBe(false);
  });

  it('is malformed when the document is not OTLP', () => {
    const out: TraceRecord[] = [];
    otlpRecords({ resourceSpans: 'x' }, origin, new SeenSpans(), out);
    expect(out).toEqual([
      { kind: 'malformed', origin, error: 'not an OTLP JSON object (no resourceSpans)' },
    ]);
  });
});
