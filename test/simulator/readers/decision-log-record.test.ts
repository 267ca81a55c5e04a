import { describe, expect, it } from 'vitest';
import { decisionLogRecord } from '../../../src/simulator/readers/decision-log-record.js';
import { detectFormat } from '../../../src/simulator/readers/detect-format.js';

const origin = { file: 'decisions.log', line: 3 };
const input = { agent: { id: 'finance-agent' }, tool: { name: 'slack-notify' } };
const event = (fields: Record<string, unknown>) => ({
  decision_id: 'd1',
  path: 'aegis/decision',
  input,
  timestamp: '2026-11-18T15:00:00.123456789Z',
  ...fields,
});

describe('decision-log events', () => {
  it.each(['aegis/decision', '/aegis/decision', 'data.aegis.decision'])(
    'takes path %s as an aegis decision',
    (path) => {
      expect(decisionLogRecord(event({ path }), origin)).toMatchObject({
        kind: 'event',
        format: 'opa-decision-log',
        timeNs: 1_795_014_000_123_456_789n,
      });
    },
  );

  it.each([
    'aegis/decision/allow',
    'aegis',
    'system/main',
    'data/aegis/decision',
    '//aegis/decision',
  ])('skips path %s', (path) => {
    expect(decisionLogRecord(event({ path }), origin)).toEqual({
      kind: 'skip',
      origin,
      reason: `decision path ${path} is not aegis/decision`,
    });
  });

  it('skips ad-hoc queries and events without a path', () => {
    expect(
      decisionLogRecord(event({ path: undefined, query: 'data.aegis.decision' }), origin),
    ).toEqual({
      kind: 'skip',
      origin,
      reason: 'decision-log event of an ad-hoc query, not of a decision path',
    });
    expect(decisionLogRecord(event({ path: undefined }), origin)).toMatchObject({
      kind: 'skip',
      reason: 'decision-log event without a path',
    });
  });

  it("yields nothing for OPA's own log lines", () => {
    expect(
      decisionLogRecord({ level: 'info', msg: 'Received request.', req_id: 1 }, origin),
    ).toBeUndefined();
  });

  it('puts the timestamp into an input without a time, and keeps one that has it', () => {
    expect(decisionLogRecord(event({}), origin)).toStrictEqual({
      kind: 'event',
      origin,
      format: 'opa-decision-log',
      timeNs: 1_795_014_000_123_456_789n,
      input: { ...input, context: { time: '2026-11-18T15:00:00.123456789Z' } },
    });
    const withContext = { ...input, context: { region: 'us-east-1' } };
    expect(decisionLogRecord(event({ input: withContext }), origin)).toMatchObject({
      input: { context: { region: 'us-east-1', time: '2026-11-18T15:00:00.123456789Z' } },
    });
    const timed = { ...input, context: { time: '2026-11-18T14:59:59Z' } };
    expect(decisionLogRecord(event({ input: timed }), origin)).toMatchObject({
      timeNs: 1_795_014_000_123_456_789n,
      input: timed,
    });
    const odd = { ...input, context: 'not an object' };
    expect(decisionLogRecord(event({ input: odd }), origin)).toMatchObject({ input: odd });
  });

  it('records the decision, the ids and the erased input paths', () => {
    expect(
      decisionLogRecord(
        event({
          result: { decision: 'allow', outcome: 'deny', reasons: [] },
          trace_id: '3E5F7A9B1C2D4E6F8091A2B3C4D5E6F7',
          span_id: 'A1B2C3D4E5F60718',
          erased: ['/input/params/ssn', '/result/params/ssn', '/input_copy', '/input'],
        }),
        origin,
      ),
    ).toMatchObject({
      recorded: { decision: 'allow', outcome: 'deny' },
      traceId: '3e5f7a9b1c2d4e6f8091a2b3c4d5e6f7',
      spanId: 'a1b2c3d4e5f60718',
      erased: ['/input/params/ssn', '/input'],
    });
    const bare = decisionLogRecord(event({ result: true, erased: ['/result'] }), origin);
    expect(bare).not.toHaveProperty('recorded');
    expect(bare).not.toHaveProperty('erased');
  });

  it('flags input paths that the mask policy replaced (`masked`) as it does erased ones', () => {
    const redacted = { ...input, params: { amount: '**REDACTED**' } };
    expect(
      decisionLogRecord(
        event({
          input: redacted,
          erased: ['/input/params/ssn'],
          masked: ['/input/params/amount', '/result/reasons', 7],
        }),
        origin,
      ),
    ).toMatchObject({ kind: 'event', erased: ['/input/params/ssn', '/input/params/amount'] });
    expect(decisionLogRecord(event({ masked: ['/input'] }), origin)).toMatchObject({
      erased: ['/input'],
    });
  });

  it.each([
    [{ input: undefined }, 'decision-log event has no input object'],
    [{ input: undefined, masked: ['/input'] }, 'decision-log event has its whole input masked'],
    [{ input: undefined, erased: ['/input'] }, 'decision-log event has its whole input erased'],
    [{ input: [1] }, 'decision-log event has no input object'],
    [{ timestamp: undefined }, 'decision-log event has no timestamp'],
    [{ timestamp: '18/11/2026' }, 'timestamp "18/11/2026" is not an RFC 3339 time'],
  ])('%j is malformed: %s', (fields, error) => {
    expect(decisionLogRecord(event(fields), origin)).toEqual({ kind: 'malformed', origin, error });
  });
});

describe('format detection', () => {
  it.each([
    [{ resourceSpans: [] }, 'otlp-json'],
    [{ decision_id: 'x' }, 'opa-decision-log'],
    [{ path: 'a/b', result: true }, 'opa-decision-log'],
    [{ path: 'a/b', input: {} }, 'opa-decision-log'],
    [{ level: 'info', msg: 'Initializing server.' }, 'opa-decision-log'],
    [[{ decision_id: 'x' }], 'opa-decision-log'],
    [{ agent: { id: 'a' }, tool: { name: 't' } }, 'aegis-jsonl'],
    [{ path: 'a/b' }, 'aegis-jsonl'],
    [[], 'aegis-jsonl'],
    ['text', 'aegis-jsonl'],
  ])('%j is %s', (value, format) => {
    expect(detectFormat(value)).toBe(format);
  });
});
