import { describe, expect, it } from 'vitest';
import type { PolicySetIR } from '../../src/compiler/ir.js';
import { normalize } from '../../src/compiler/normalize.js';
import type { JsonValue, OperatorName } from '../../src/policy/types.js';
import { callOf, codes, decide, irOf } from './helpers.js';

function withParam(op: OperatorName, operand: JsonValue, optional = false): PolicySetIR {
  return normalize([
    {
      policy: {
        agent: 'a',
        allowed_tools: [{ name: 't', params: { 'p.q': { [op]: operand, optional } } }],
      },
      file: 'x',
      line: 1,
    },
  ]);
}

const call = (value: unknown) => callOf('a', 't', { params: { p: { q: value } } });

type Row = [OperatorName, JsonValue, unknown, 'ok' | 'param_violation' | 'param_invalid'];

describe('step 6: params constraints', () => {
  it.each<Row>([
    ['eq', 'USD', 'USD', 'ok'],
    ['eq', 'USD', 'usd', 'param_violation'],
    ['eq', 1, 1.0, 'ok'],
    ['eq', 1, '1', 'param_violation'],
    ['eq', { a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, 'ok'],
    ['eq', { a: 1, b: 2 }, { b: 2, a: 1 }, 'ok'],
    ['eq', { a: 1 }, { a: 1, b: 2 }, 'param_violation'],
    ['eq', [1, 2], [2, 1], 'param_violation'],
    ['eq', null, null, 'ok'],
    ['ne', 'prod', 'staging', 'ok'],
    ['ne', 'prod', 'prod', 'param_violation'],
    ['in', ['USD', 'EUR'], 'EUR', 'ok'],
    ['in', ['USD', 'EUR'], 'GBP', 'param_violation'],
    ['in', [1, [2]], [2], 'ok'],
    ['not_in', ['KP', 'IR'], 'US', 'ok'],
    ['not_in', ['KP', 'IR'], 'KP', 'param_violation'],
    ['lt', 10, 9.99, 'ok'],
    ['lt', 10, 10, 'param_violation'],
    ['lte', 10, 10, 'ok'],
    ['gt', 0, 0, 'param_violation'],
    ['gte', 0, -0, 'ok'],
    ['gte', 1, '5', 'param_invalid'],
    ['lt', 1, null, 'param_invalid'],
    ['gt', 1, [2], 'param_invalid'],
    ['lte', 1, true, 'param_invalid'],
    ['matches', '^P[0-9]{8}$', 'P12345678', 'ok'],
    ['matches', '[0-9]+', 'abc123def', 'ok'],
    ['matches', '^P[0-9]{8}$', 'P1234567', 'param_violation'],
    ['matches', '^.$', '\u{1f600}', 'ok'],
    ['matches', '\\bfoo\\b', 'éfooé', 'ok'],
    ['matches', 'x', 1, 'param_invalid'],
    ['not_matches', '(?i)<script', 'hello', 'ok'],
    ['not_matches', '(?i)<script', 'a <SCRIPT>', 'param_violation'],
    ['not_matches', 'x', { x: 1 }, 'param_invalid'],
    ['prefix', 'pay_', 'pay_123', 'ok'],
    ['prefix', 'pay_', 'PAY_123', 'param_violation'],
    ['prefix', 'pay_', 5, 'param_invalid'],
    ['suffix', '.example.org', 'a.example.org', 'ok'],
    ['suffix', '.example.org', 'example.org', 'param_violation'],
    ['suffix', '.x', null, 'param_invalid'],
    ['contains', 'lo w', 'hello world', 'ok'],
    ['contains', 'xyz', 'hello world', 'param_violation'],
    ['contains', 'public', ['internal', 'public'], 'ok'],
    ['contains', 1, [1.0, 2], 'ok'],
    ['contains', { a: 1 }, [{ a: 1 }], 'ok'],
    ['contains', 'public', ['private'], 'param_violation'],
    ['contains', 1, 'a1b', 'param_invalid'],
    ['contains', 'a', { a: 1 }, 'param_invalid'],
    ['contains', 'a', 5, 'param_invalid'],
    ['min_length', 2, 'ab', 'ok'],
    ['min_length', 2, '\u{1f600}', 'param_violation'],
    ['max_length', 1, '\u{1f600}', 'ok'],
    ['max_length', 1, 'e\u0301', 'param_violation'],
    ['max_length', 2, [1, 2, 3], 'param_violation'],
    ['min_length', 1, [], 'param_violation'],
    ['min_length', 1, 7, 'param_invalid'],
    ['max_length', 1, { a: 1 }, 'param_invalid'],
    ['type', 'string', 's', 'ok'],
    ['type', 'string', 1, 'param_violation'],
    ['type', 'number', 1.5, 'ok'],
    ['type', 'integer', 1.0, 'ok'],
    ['type', 'integer', 1e300, 'ok'],
    ['type', 'integer', 1.5, 'param_violation'],
    ['type', 'integer', '1', 'param_violation'],
    ['type', 'boolean', false, 'ok'],
    ['type', 'array', [], 'ok'],
    ['type', 'array', {}, 'param_violation'],
    ['type', 'object', {}, 'ok'],
    ['type', 'object', [], 'param_violation'],
    ['type', 'object', null, 'param_violation'],
  ])('%s %j on %j: %s', (op, operand, value, expected) => {
    const d = decide(withParam(op, operand), call(value));
    if (expected === 'ok') {
      expect(d.reasons).toEqual([]);
      return;
    }
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatchObject({
      code: expected,
      effect: 'deny',
      rule: `_/a/t/params/p.q/${op}`,
    });
    expect(d.decision).toBe('deny');
  });

  it.each<[string, unknown, boolean, string[]]>([
    ['missing, required', {}, false, ['param_missing']],
    ['missing, optional', {}, true, []],
    ['parent not an object', { p: 'x' }, false, ['param_missing']],
    ['parent an array', { p: [{ q: 1 }] }, false, ['param_missing']],
    ['null is present', { p: { q: null } }, false, ['param_violation']],
    ['optional but present and wrong', { p: { q: 'USD' } }, true, ['param_violation']],
  ])('%s', (_name, params, optional, expected) => {
    const d = decide(withParam('eq', 'EUR', optional), callOf('a', 't', { params }));
    expect(codes(d)).toEqual(expected);
    if (expected[0] === 'param_missing') {
      expect(d.reasons[0]).toEqual({
        code: 'param_missing',
        effect: 'deny',
        rule: '_/a/t/params/p.q',
        message: 'parameter `p.q` is required',
      });
    }
  });

  it('treats a missing params object as {}', () => {
    expect(codes(decide(withParam('eq', 1), callOf('a', 't')))).toEqual(['param_missing']);
  });

  it('reports every failing operator on one path, sorted', () => {
    const ir = irOf(
      'agent: a\nallowed_tools:\n  - name: t\n    params:\n      k: { type: string, prefix: "pay_", min_length: 12 }',
    );
    const d = decide(ir, callOf('a', 't', { params: { k: 'x' } }));
    expect(d.reasons.map((r) => r.rule)).toEqual([
      '_/a/t/params/k/min_length',
      '_/a/t/params/k/prefix',
    ]);
    const n = decide(ir, callOf('a', 't', { params: { k: 5 } }));
    expect(n.reasons.map((r) => `${r.rule} ${r.code}`)).toEqual([
      '_/a/t/params/k/min_length param_invalid',
      '_/a/t/params/k/prefix param_invalid',
      '_/a/t/params/k/type param_violation',
    ]);
  });
});

describe('step 6: amount conditions', () => {
  const ir = irOf(`
agent: a
allowed_tools:
  - name: t
    conditions: { amount_param: payment.total, max_amount: 5000, min_amount: 1, approval_needed_over: 1000 }
`);
  const amount = (total: unknown) =>
    decide(ir, callOf('a', 't', { params: { payment: { total } } }));

  it.each<[unknown, string[], string]>([
    [500, [], 'allow'],
    [1000, [], 'allow'],
    [1000.01, ['amount_needs_approval'], 'approval_needed'],
    [5000, ['amount_needs_approval'], 'approval_needed'],
    [5000.5, ['amount_needs_approval', 'amount_over_max'], 'deny'],
    [1, [], 'allow'],
    [0.99, ['amount_under_min'], 'deny'],
    [-5, ['amount_under_min'], 'deny'],
    ['500', ['param_invalid'], 'deny'],
    [null, ['param_invalid'], 'deny'],
  ])('%j', (value, expected, decision) => {
    const d = amount(value);
    expect(codes(d)).toEqual(expected);
    expect(d.decision).toBe(decision);
  });

  it('gives one reason for a missing amount, not the comparisons', () => {
    const d = decide(ir, callOf('a', 't', { params: {} }));
    expect(d.reasons).toEqual([
      {
        code: 'param_missing',
        effect: 'deny',
        rule: '_/a/t/conditions/amount',
        message: 'parameter `payment.total` is required and must be a number',
      },
    ]);
  });

  it('runs only when a limit is set', () => {
    const none = irOf('agent: a\nallowed_tools:\n  - { name: t, conditions: { amount_param: x } }');
    expect(codes(decide(none, callOf('a', 't')))).toEqual([]);
  });

  it('uses the fixed messages', () => {
    expect(amount(6000).reasons.map((r) => r.message)).toEqual([
      'payment.total over 1000 needs approval',
      'payment.total exceeds max_amount 5000',
    ]);
    expect(amount(0).reasons.map((r) => r.message)).toEqual([
      'payment.total is below min_amount 1',
    ]);
  });
});
