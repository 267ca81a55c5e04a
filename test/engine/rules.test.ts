import { describe, expect, it } from 'vitest';
import type { PolicySetIR } from '../../src/compiler/ir.js';
import { normalize } from '../../src/compiler/normalize.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { Condition } from '../../src/policy/types.js';
import { callOf, codes, decide, irOf } from './helpers.js';

function withRule(when: Condition): PolicySetIR {
  return normalize([
    {
      policy: {
        agent: 'a',
        allowed_tools: [{ name: 't', rules: [{ when, effect: 'deny' }] }],
        egress: { allow: ['*'] },
      },
      file: 'x',
      line: 1,
    },
  ]);
}

const input = {
  agent: { id: 'a', tenant: 'acme', claims: { team: 'payments', level: 3 } },
  tool: { name: 't', action: 'run' },
  params: { env: 'production', amount: 250, tags: ['pii', 'eu'], n: null },
  egress: { host: 'api.example.com' },
  context: { time: '2026-11-21T15:04:05Z', region: 'eu-west-1' },
};

const fires = (when: Condition, call: unknown = input) =>
  codes(decide(withRule(when), call)).includes('rule_matched');

describe('step 6: rule conditions (two-valued)', () => {
  it.each<[string, Condition, boolean]>([
    ['param eq', { param: 'env', eq: 'production' }, true],
    ['param eq, other value', { param: 'env', eq: 'staging' }, false],
    ['param missing', { param: 'missing', eq: 'x' }, false],
    ['not of a missing param', { not: { param: 'missing', eq: 'x' } }, true],
    ['ne on a missing param is false', { param: 'missing', ne: 'x' }, false],
    ['not_in on a missing param is false', { param: 'missing', not_in: ['x'] }, false],
    ['ordering on a non-number is false', { param: 'env', gt: 1 }, false],
    ['not of an ordering on a non-number', { not: { param: 'env', gt: 1 } }, true],
    ['regex on a non-string is false', { param: 'amount', matches: '2' }, false],
    ['several operators all hold', { param: 'amount', gt: 200, lte: 250 }, true],
    ['several operators, one fails', { param: 'amount', gt: 200, lt: 250 }, false],
    ['null is present', { param: 'n', eq: null }, true],
    ['type test', { param: 'n', type: 'object' }, false],
    ['contains on an array', { param: 'tags', contains: 'pii' }, true],
    ['field from the input root', { field: 'agent.claims.team', eq: 'payments' }, true],
    ['field: tenant', { field: 'agent.tenant', in: ['acme', 'globex'] }, true],
    ['field: region', { field: 'context.region', prefix: 'eu-' }, true],
    ['field: egress host', { field: 'egress.host', suffix: '.example.com' }, true],
    ['field: params path', { field: 'params.env', eq: 'production' }, true],
    ['field: missing claim', { field: 'agent.claims.role', eq: 'admin' }, false],
    ['not of a missing claim', { not: { field: 'agent.claims.role', eq: 'admin' } }, true],
    ['field: number claim', { field: 'agent.claims.level', gte: 3 }, true],
    [
      'all',
      {
        all: [
          { param: 'env', eq: 'production' },
          { param: 'amount', gt: 100 },
        ],
      },
      true,
    ],
    [
      'all, one false',
      {
        all: [
          { param: 'env', eq: 'production' },
          { param: 'amount', gt: 1000 },
        ],
      },
      false,
    ],
    [
      'any',
      {
        any: [
          { param: 'env', eq: 'staging' },
          { param: 'amount', gt: 100 },
        ],
      },
      true,
    ],
    [
      'any, none',
      {
        any: [
          { param: 'env', eq: 'staging' },
          { param: 'missing', eq: 1 },
        ],
      },
      false,
    ],
    ['not not', { not: { not: { param: 'env', eq: 'production' } } }, true],
    [
      'nested',
      { all: [{ any: [{ not: { param: 'missing', eq: 1 } }] }, { time: { days: ['sat'] } }] },
      true,
    ],
  ])('%s -> %s', (_name, when, expected) => {
    expect(fires(when)).toBe(expected);
  });

  it('reports the rule with its effect, id and message', () => {
    const ir = irOf(`
agent: a
tenant: acme
allowed_tools:
  - name: t
    rules:
      - { id: prod, when: { param: env, eq: production }, effect: approval_needed, reason: Production needs a human }
      - { when: { param: env, eq: production }, effect: deny }
      - { when: { param: env, eq: staging }, effect: deny }
egress: { allow: [api.example.com] }
`);
    expect(decide(ir, input).reasons).toEqual([
      {
        code: 'rule_matched',
        effect: 'approval_needed',
        rule: 'acme/a/t/prod',
        message: 'Production needs a human',
      },
      {
        code: 'rule_matched',
        effect: 'deny',
        rule: 'acme/a/t/rules/1',
        message: 'denied by rule rules/1',
      },
    ]);
  });
});

describe('time conditions', () => {
  const at = (time: string) => ({ ...input, context: { time } });

  it.each<[string, string, string, boolean]>([
    // America/New_York springs forward 2026-03-08 07:00Z (02:00 EST -> 03:00 EDT).
    ['01:00-02:00', 'America/New_York', '2026-03-08T06:59:59Z', true],
    ['01:00-02:00', 'America/New_York', '2026-03-08T07:00:00Z', false],
    ['03:00-04:00', 'America/New_York', '2026-03-08T07:00:00Z', true],
    // ...and falls back 2026-11-01 06:00Z (02:00 EDT -> 01:00 EST): 01:xx twice.
    ['01:00-02:00', 'America/New_York', '2026-11-01T05:30:00Z', true],
    ['01:00-02:00', 'America/New_York', '2026-11-01T06:30:00Z', true],
    ['01:00-02:00', 'America/New_York', '2026-11-01T07:00:00Z', false],
    // Europe/Berlin springs forward 2026-03-29 01:00Z (02:00 CET -> 03:00 CEST).
    ['01:00-02:00', 'Europe/Berlin', '2026-03-29T00:59:59Z', true],
    ['02:00-03:00', 'Europe/Berlin', '2026-03-29T01:00:00Z', false],
    ['03:00-03:01', 'Europe/Berlin', '2026-03-29T01:00:00Z', true],
    // ...and falls back 2026-10-25 01:00Z (03:00 CEST -> 02:00 CET).
    ['02:00-03:00', 'Europe/Berlin', '2026-10-25T00:30:00Z', true],
    ['02:00-03:00', 'Europe/Berlin', '2026-10-25T01:30:00Z', true],
    ['02:00-03:00', 'Europe/Berlin', '2026-10-25T02:00:00Z', false],
    // Wrapping midnight: start inclusive, end exclusive.
    ['22:00-06:00', 'UTC', '2026-11-21T22:00:00Z', true],
    ['22:00-06:00', 'UTC', '2026-11-21T21:59:59Z', false],
    ['22:00-06:00', 'UTC', '2026-11-22T00:00:00Z', true],
    ['22:00-06:00', 'UTC', '2026-11-22T05:59:59.999999999Z', true],
    ['22:00-06:00', 'UTC', '2026-11-22T06:00:00Z', false],
    ['09:00-17:00', 'UTC', '2026-11-21T17:00:00Z', false],
    ['09:00-17:00', 'UTC', '2026-11-21T09:00:00Z', true],
    ['00:00-24:00', 'UTC', '2026-11-21T23:59:59Z', true],
    ['08:00-08:00', 'UTC', '2026-11-21T03:00:00Z', true],
    // The offset in the input does not matter, only the instant.
    ['09:00-17:00', 'Europe/Berlin', '2026-11-21T12:30:00-05:00', false],
    ['09:00-17:00', 'Europe/Berlin', '2026-11-21T10:30:00+02:00', true],
    // Before 1970 and near the end of the range.
    ['18:59-19:00', 'America/New_York', '1969-12-31T23:59:59.999Z', true],
    ['18:59-19:00', 'America/New_York', '1969-12-31T23:59:59.999999999Z', true],
    ['19:00-19:01', 'America/New_York', '1970-01-01T00:00:00Z', true],
    ['19:00-19:48', 'America/New_York', '2262-04-11T23:47:16.854775807Z', true],
  ])('hours %s in %s at %s: %s', (hours, tz, time, expected) => {
    expect(fires({ time: { hours, tz } }, at(time))).toBe(expected);
  });

  it.each<[string[], string, string, boolean]>([
    [['sat'], 'UTC', '2026-11-21T23:59:59Z', true],
    [['sat'], 'UTC', '2026-11-22T00:00:00Z', false],
    // Saturday 23:30 in New York is Sunday 04:30Z.
    [['sat'], 'America/New_York', '2026-11-22T04:30:00Z', true],
    [['sun'], 'Europe/Berlin', '2026-11-21T23:30:00Z', true],
    [['mon', 'tue', 'wed', 'thu', 'fri'], 'Europe/Berlin', '2026-11-21T12:00:00Z', false],
    [[], 'UTC', '2026-11-21T12:00:00Z', false],
  ])('days %j in %s at %s: %s', (days, tz, time, expected) => {
    expect(fires({ time: { days: days as never, tz } }, at(time))).toBe(expected);
  });

  it('takes the weekday of the instant in a window that wraps midnight', () => {
    const when: Condition = { time: { days: ['fri'], hours: '22:00-06:00' } };
    expect(fires(when, at('2026-11-20T23:00:00Z'))).toBe(true);
    // Saturday 01:00 belongs to Saturday, not to Friday's window.
    expect(fires(when, at('2026-11-21T01:00:00Z'))).toBe(false);
  });

  it('reads the clock only when needed, and once', () => {
    const ir = withRule({ all: [{ time: { days: ['sat'] } }, { time: { hours: '15:00-16:00' } }] });
    let calls = 0;
    const now = () => {
      calls++;
      return 1_763_737_445_000_000_000n; // 2025-11-21T15:04:05Z, a Friday
    };
    expect(codes(evaluate(ir, callOf('a', 't'), { now }))).toEqual([]);
    expect(calls).toBe(1);
    evaluate(ir, at('2026-11-21T15:04:05Z'), { now });
    expect(calls).toBe(1);
    const saturday = () => new Date('2026-11-21T15:30:00Z');
    expect(codes(evaluate(ir, callOf('a', 't'), { now: saturday }))).toEqual(['rule_matched']);
  });

  it('is false in a zone the runtime does not know', () => {
    expect(
      fires({ time: { days: ['sat'], tz: 'Mars/Olympus_Mons' } }, at('2026-11-21T12:00:00Z')),
    ).toBe(false);
  });
});
