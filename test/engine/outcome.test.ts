import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { callOf, codes, decide, irOf } from './helpers.js';

const limits = irOf(`
agent: a
allowed_tools:
  - name: t
    rate_limit: { rps: 3, on_exceed: approval_needed }
    budget: { daily_usd: 0.3, on_exceed: approval_needed }
  - name: u
rate_limit: { rps: 10 }
budget: { daily_usd: 500 }
`);

const usage = (context: Record<string, unknown>, tool = 't') =>
  decide(limits, callOf('a', tool, { context }));

describe('step 6: rate limits and budgets', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['nothing used', {}, []],
    ['tool rps at the limit', { usage: { tool_rps: 3 } }, []],
    ['tool rps over', { usage: { tool_rps: 3.5 } }, ['rate_limited']],
    ['agent rps over', { usage: { agent_rps: 11 } }, ['agent_rate_limited']],
    ['tool spend at the limit', { usage: { tool_spend_today_usd: 0.3 } }, []],
    [
      '0.1 + 0.2 is not over 0.3 (as in OPA)',
      { cost_usd: 0.2, usage: { tool_spend_today_usd: 0.1 } },
      [],
    ],
    [
      '0.1 + 0.21 is over 0.3',
      { cost_usd: 0.21, usage: { tool_spend_today_usd: 0.1 } },
      ['budget_exceeded'],
    ],
    ['cost alone over', { cost_usd: 0.31 }, ['budget_exceeded']],
    [
      'agent spend over',
      { cost_usd: 0.01, usage: { agent_spend_today_usd: 500 } },
      ['agent_budget_exceeded'],
    ],
    [
      'agent spend reaches its limit (the tool budget is over)',
      { cost_usd: 0.5, usage: { agent_spend_today_usd: 499.5 } },
      ['budget_exceeded'],
    ],
    // Below 0 a cost or counter would lower what the limits compare: the call is malformed.
    ['a negative cost', { cost_usd: -1, usage: { tool_spend_today_usd: 1 } }, ['invalid_input']],
    ['a negative tool rps', { usage: { tool_rps: -1 } }, ['invalid_input']],
    ['a negative agent rps', { usage: { agent_rps: -0.5 } }, ['invalid_input']],
    ['a negative tool spend', { usage: { tool_spend_today_usd: -1 } }, ['invalid_input']],
    ['a negative agent spend', { usage: { agent_spend_today_usd: -1e-9 } }, ['invalid_input']],
    ['a zero cost and -0 counters', { cost_usd: 0, usage: { tool_rps: -0 } }, []],
  ])('%s', (_name, context, expected) => {
    expect(codes(usage(context))).toEqual(expected);
  });

  it('gives each limit its on_exceed and rule id', () => {
    const d = usage({
      cost_usd: 1,
      usage: { tool_rps: 4, agent_rps: 11, agent_spend_today_usd: 500 },
    });
    expect(d.reasons).toEqual([
      {
        code: 'agent_budget_exceeded',
        effect: 'deny',
        rule: '_/a/_/budget',
        message: 'agent daily budget of 500 USD exceeded',
      },
      {
        code: 'agent_rate_limited',
        effect: 'deny',
        rule: '_/a/_/rate_limit',
        message: 'agent rate limit of 10 calls per second exceeded',
      },
      {
        code: 'budget_exceeded',
        effect: 'approval_needed',
        rule: '_/a/t/budget',
        message: 'daily budget of 0.3 USD exceeded',
      },
      {
        code: 'rate_limited',
        effect: 'approval_needed',
        rule: '_/a/t/rate_limit',
        message: 'rate limit of 3 calls per second exceeded',
      },
    ]);
    expect(d.outcome).toBe('deny');
  });

  it('applies the agent-wide limits to every tool', () => {
    expect(codes(usage({ usage: { agent_rps: 11, tool_rps: 99 } }, 'u'))).toEqual([
      'agent_rate_limited',
    ]);
  });
});

describe('steps 7 and 8: combine and mode', () => {
  const yaml = (mode: string) => `
agent: a
mode: ${mode}
allowed_tools:
  - name: t
    params: { x: { type: integer, optional: true } }
    rules:
      - { id: ask, when: { param: ask, eq: true }, effect: approval_needed }
    sanitize: { detectors: [ssn] }
`;
  const enforce = irOf(yaml('enforce'));
  const shadow = irOf(yaml('shadow'));
  const params = (p: Record<string, unknown>) => callOf('a', 't', { params: p });

  it.each<[string, Record<string, unknown>, string]>([
    ['nothing', {}, 'allow'],
    ['sanitize only', { note: '123-45-6789' }, 'sanitize'],
    ['approval beats sanitize', { note: '123-45-6789', ask: true }, 'approval_needed'],
    ['deny beats everything', { note: '123-45-6789', ask: true, x: 1.5 }, 'deny'],
  ])('%s', (_name, p, outcome) => {
    const e = decide(enforce, params(p));
    expect(e.outcome).toBe(outcome);
    expect(e.decision).toBe(outcome);
    expect(e.allow).toBe(outcome === 'allow' || outcome === 'sanitize');
    expect(e.mode).toBe('enforce');
    const s = decide(shadow, params(p));
    expect(s.outcome).toBe(outcome);
    expect(s.decision).toBe('allow');
    expect(s.allow).toBe(true);
    expect(s.mode).toBe('shadow');
    expect(s.reasons).toEqual(e.reasons);
    expect(s.redactions).toEqual(e.redactions);
  });

  it('forwards sanitized params in enforce mode whatever the outcome, unmodified in shadow mode', () => {
    const input = params({ note: 'ssn 123-45-6789', ask: true });
    expect(decide(enforce, input).params).toEqual({ note: 'ssn [REDACTED]', ask: true });
    expect(decide(shadow, input).params).toEqual({ note: 'ssn 123-45-6789', ask: true });
    expect(decide(enforce, params({ note: 'ssn 123-45-6789', x: 'bad' })).params.note).toBe(
      'ssn [REDACTED]',
    );
  });

  it('returns the input params object itself when nothing was redacted, and never modifies the input', () => {
    const input = params({ note: 'ssn 123-45-6789', keep: { deep: [1] } });
    const before = JSON.stringify(input);
    const d = evaluate(enforce, input);
    expect(JSON.stringify(input)).toBe(before);
    expect(d.params.keep).toBe((input.params as Record<string, unknown>).keep);
    const clean = params({ ok: 1 });
    expect(evaluate(enforce, clean).params).toBe(clean.params);
  });
});

describe('reason order', () => {
  it('sorts by rule, then code, by code point, with no duplicates', () => {
    const ir = irOf(`
agent: a
allowed_tools:
  - name: t
    params:
      "\uff41": { eq: 1 }
      "\u{1f600}": { eq: 1 }
      Z: { eq: 1 }
      a: { eq: 1 }
    rules:
      - { id: same, when: { param: q, eq: 1 }, effect: deny, reason: second }
      - { id: same, when: { param: q, eq: 1 }, effect: deny, reason: first }
      - { id: same, when: { param: q, eq: 1 }, effect: approval_needed, reason: first }
      - { id: dup, when: { param: q, eq: 1 }, effect: deny, reason: x }
      - { id: dup, when: { param: q, eq: 1 }, effect: deny, reason: x }
`);
    const d = decide(ir, callOf('a', 't', { params: { q: 1 } }));
    expect(d.reasons.map((r) => `${r.rule} ${r.code} ${r.effect} ${r.message}`)).toEqual([
      '_/a/t/dup rule_matched deny x',
      '_/a/t/params/Z param_missing deny parameter `Z` is required',
      '_/a/t/params/a param_missing deny parameter `a` is required',
      // U+FF41 sorts before U+1F600 by code point, after it by UTF-16 unit.
      '_/a/t/params/\uff41 param_missing deny parameter `\uff41` is required',
      '_/a/t/params/\u{1f600} param_missing deny parameter `\u{1f600}` is required',
      '_/a/t/same rule_matched approval_needed first',
      '_/a/t/same rule_matched deny first',
      '_/a/t/same rule_matched deny second',
    ]);
  });
});
