import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConditionIR, PolicySetIR, ToolIR } from '../src/compiler/ir.js';
import { normalize, parseHours } from '../src/compiler/normalize.js';
import { DETECTORS } from '../src/engine/detectors.js';
import { checkSources } from '../src/policy/validate.js';
import { irOf } from './engine/helpers.js';

const FIXTURES = 'fixtures/policies';

function fixtureIr(): PolicySetIR {
  const sources = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({
      file: join(FIXTURES, f),
      text: readFileSync(join(FIXTURES, f), 'utf8'),
      kind: 'yaml' as const,
    }));
  const result = checkSources(sources);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return normalize(result.loaded);
}

function tool(ir: PolicySetIR, agent: string, name: string, tenant?: string): ToolIR {
  const policy = ir.policies.find((p) => p.agent === agent && p.tenant === tenant);
  const found = policy?.tools.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name} for ${tenant}/${agent}`);
  return found;
}

describe('normalize', () => {
  it('fills the defaults', () => {
    const ir = irOf(`
agent: a
allowed_tools:
  - name: t
    conditions: { max_amount: 10 }
    rules:
      - when: { time: { days: [sat] } }
        effect: deny
    rate_limit: { rps: 2 }
    budget: { daily_usd: 5 }
rate_limit: { rps: 3 }
budget: { daily_usd: 6 }
`);
    const [policy] = ir.policies;
    expect(policy?.mode).toBe('enforce');
    expect(policy?.tenant).toBeUndefined();
    expect(policy?.prefix).toBe('_/a');
    expect(policy?.egress).toEqual([]);
    expect(policy?.regions).toBeUndefined();
    expect(policy?.rateLimit?.onExceed).toBe('deny');
    expect(policy?.budget?.onExceed).toBe('deny');
    const t = policy?.tools[0];
    expect(t?.actions).toBe('*');
    expect(t?.amount?.path).toEqual(['amount']);
    expect(t?.rateLimit?.onExceed).toBe('deny');
    expect(t?.budget?.onExceed).toBe('deny');
    expect(t?.rules[0]?.when).toEqual({ kind: 'time', days: ['sat'], tz: 'UTC' });
    expect(t?.rules[0]?.reason).toEqual({
      rule: '_/a/t/rules/0',
      message: 'denied by rule rules/0',
    });
    expect(t?.sanitize).toBeUndefined();
  });

  it('gives every reason the rule id of the docs/semantics.md table', () => {
    const ir = fixtureIr();
    const pay = tool(ir, 'finance-agent', 'stripe-payments', 'acme');
    expect(pay.params.map((p) => p.missing.rule)).toEqual([
      'acme/finance-agent/stripe-payments/params/currency',
      'acme/finance-agent/stripe-payments/params/recipient.country',
      'acme/finance-agent/stripe-payments/params/recipient.verified',
      'acme/finance-agent/stripe-payments/params/idempotency_key',
      'acme/finance-agent/stripe-payments/params/memo',
    ]);
    expect(pay.params[0]?.path).toEqual(['currency']);
    expect(pay.params[1]?.path).toEqual(['recipient', 'country']);
    // Operators in the one canonical order, whatever the source order.
    expect(pay.params[3]?.operators.map((o) => o.reason.rule)).toEqual([
      'acme/finance-agent/stripe-payments/params/idempotency_key/prefix',
      'acme/finance-agent/stripe-payments/params/idempotency_key/min_length',
      'acme/finance-agent/stripe-payments/params/idempotency_key/max_length',
      'acme/finance-agent/stripe-payments/params/idempotency_key/type',
    ]);
    expect(pay.params[4]?.optional).toBe(true);
    expect(pay.amount?.invalid.rule).toBe('acme/finance-agent/stripe-payments/conditions/amount');
    expect(pay.amount?.max).toEqual({
      limit: 5000,
      reason: {
        rule: 'acme/finance-agent/stripe-payments/conditions/max_amount',
        message: 'amount exceeds max_amount 5000',
      },
    });
    expect(pay.amount?.min?.reason.rule).toBe(
      'acme/finance-agent/stripe-payments/conditions/min_amount',
    );
    expect(pay.amount?.approvalOver?.reason.rule).toBe(
      'acme/finance-agent/stripe-payments/conditions/approval_needed_over',
    );
    expect(pay.rules.map((r) => r.reason.rule)).toEqual([
      'acme/finance-agent/stripe-payments/weekend-approval',
      'acme/finance-agent/stripe-payments/after-hours-approval',
      'acme/finance-agent/stripe-payments/payments-team-only',
    ]);
    expect(pay.rules[0]?.reason.message).toBe('Weekend payments need a human');
    expect(pay.rateLimit).toEqual({
      limit: 3,
      onExceed: 'approval_needed',
      reason: {
        rule: 'acme/finance-agent/stripe-payments/rate_limit',
        message: 'rate limit of 3 calls per second exceeded',
      },
    });
    expect(pay.budget?.reason.rule).toBe('acme/finance-agent/stripe-payments/budget');
    expect(pay.sanitize?.reason.rule).toBe('acme/finance-agent/stripe-payments/sanitize');

    const policy = ir.policies.find((p) => p.agent === 'finance-agent');
    expect(policy?.rateLimit?.reason.rule).toBe('acme/finance-agent/_/rate_limit');
    expect(policy?.budget?.reason.rule).toBe('acme/finance-agent/_/budget');
    expect(policy?.denials).toEqual({
      region: {
        rule: 'acme/finance-agent/_/regions',
        message: 'context.region must be one of [us-east-1, us-west-2]',
      },
      egress: {
        rule: 'acme/finance-agent/_/egress',
        message: 'egress host is not in the egress allow list',
      },
      tool: { rule: 'acme/finance-agent/_/tools', message: 'tool is not in allowed_tools' },
      action: {
        rule: 'acme/finance-agent/_/tools',
        message: 'action is not allowed for this tool',
      },
    });
    expect(ir.invalidInput.rule).toBe('aegis/input');
    expect(ir.noPolicy.rule).toBe('aegis/policy');
  });

  it.each([
    ['eq', 'production', 'parameter `p` must equal production'],
    ['in', ['USD', 'EUR'], 'parameter `p` must be one of [USD, EUR]'],
    ['not_in', [1, null], 'parameter `p` must not be one of [1, null]'],
    ['gte', 1, 'parameter `p` must be a number at least 1'],
    ['lt', 0.5, 'parameter `p` must be a number less than 0.5'],
    ['matches', '^a\\.b$', 'parameter `p` must be a string matching `^a\\.b$`'],
    ['prefix', 'pay_', 'parameter `p` must be a string starting with "pay_"'],
    ['contains', { a: 1 }, 'parameter `p` must contain {"a":1}'],
    ['max_length', 140, 'parameter `p` must have a length of at most 140'],
    ['type', 'integer', 'parameter `p` must be of type integer'],
  ])('writes a fixed message for %s', (op, value, message) => {
    const ir = normalize([
      {
        policy: { agent: 'a', allowed_tools: [{ name: 't', params: { p: { [op]: value } } }] },
        file: 'x',
        line: 1,
      },
    ]);
    expect(ir.policies[0]?.tools[0]?.params[0]?.operators[0]?.reason).toEqual({
      rule: `_/a/t/params/p/${op}`,
      message,
    });
  });

  it('lower-cases egress patterns as Go does', () => {
    const ir = irOf(
      'agent: a\nallowed_tools: []\negress: { allow: [API.Stripe.COM, "*.Slack.com", "İSTANBUL.example"] }',
    );
    expect(ir.policies[0]?.egress).toEqual(['api.stripe.com', '*.slack.com', 'istanbul.example']);
  });

  it.each([
    ['09:00-17:00', { start: 540, end: 1020 }],
    ['19:00-07:00', { start: 1140, end: 420 }],
    ['00:00-24:00', { start: 0, end: 1440 }],
    ['9:30-10:00', { start: 570, end: 600 }],
  ])('parses hours %s', (text, expected) => {
    expect(parseHours(text)).toEqual(expected);
  });

  it.each(['24:00-01:00', '09:60-10:00', '9-17', '09:00-25:00', '09:00-24:01'])(
    'refuses hours %s',
    (text) => {
      expect(() => parseHours(text)).toThrow();
    },
  );

  it('resolves detectors from the one table, then custom patterns, in order', () => {
    const ir = fixtureIr();
    const siem = tool(ir, 'soc-agent', 'siem', 'acme');
    expect(siem.sanitize?.matchers).toEqual([
      { name: 'email', regex: DETECTORS.email.regex },
      { name: 'ipv4', regex: DETECTORS.ipv4.regex },
      { name: 'aws_access_key', regex: DETECTORS.aws_access_key.regex },
      { name: 'internal_hostname', regex: '[a-z0-9-]+\\.corp\\.acme\\.internal' },
    ]);
  });

  it('gives a tool with a sanitize rule a sanitize block for its `redacted` reason', () => {
    const ir = irOf(`
agent: a
allowed_tools:
  - name: t
    rules:
      - when: { param: purpose, eq: research }
        effect: sanitize
        redact: [patient.name]
`);
    const t = ir.policies[0]?.tools[0];
    expect(t?.rules[0]?.redact).toEqual([['patient', 'name']]);
    expect(t?.sanitize).toEqual({
      redact: [],
      matchers: [],
      reason: { rule: '_/a/t/sanitize', message: 'sensitive data redacted' },
    });
  });

  it('expands conditions, operators in canonical order', () => {
    const ir = irOf(`
agent: a
allowed_tools:
  - name: t
    rules:
      - when:
          any:
            - { param: x.y, lte: 5, gt: 1 }
            - not: { field: agent.claims.team, eq: ops }
            - all: [{ time: { hours: "22:00-06:00", tz: Europe/Berlin } }]
        effect: approval_needed
`);
    const expected: ConditionIR = {
      kind: 'any',
      of: [
        {
          kind: 'param',
          path: ['x', 'y'],
          tests: [
            { op: 'lte', value: 5 },
            { op: 'gt', value: 1 },
          ],
        },
        {
          kind: 'not',
          of: {
            kind: 'field',
            path: ['agent', 'claims', 'team'],
            tests: [{ op: 'eq', value: 'ops' }],
          },
        },
        {
          kind: 'all',
          of: [{ kind: 'time', hours: { start: 1320, end: 360 }, tz: 'Europe/Berlin' }],
        },
      ],
    };
    expect(ir.policies[0]?.tools[0]?.rules[0]?.when).toEqual(expected);
  });

  it('takes only exactly ["*"] as every action', () => {
    const ir = irOf(
      'agent: a\nallowed_tools:\n  - { name: t, actions: ["*"] }\n  - { name: u, actions: ["*", x] }',
    );
    expect(ir.policies[0]?.tools.map((t) => t.actions)).toEqual(['*', ['*', 'x']]);
  });

  it('sorts policies by (tenant or "", agent) in code point order', () => {
    const ir = irOf(
      [
        'agent: b\ntenant: t',
        'agent: z',
        'agent: a\ntenant: t',
        'agent: "\uff5e"',
        'agent: "\u{1f600}"',
        'agent: a',
      ]
        .map((d) => `${d}\nallowed_tools: []`)
        .join('\n---\n'),
    );
    expect(ir.policies.map((p) => `${p.tenant ?? ''}/${p.agent}`)).toEqual([
      '/a',
      '/z',
      '/\uff5e',
      '/\u{1f600}',
      't/a',
      't/b',
    ]);
  });

  it('records source lines from validate()s loaded list', () => {
    const text =
      '# comment\nagent: a\nallowed_tools:\n  - name: t\n    rules:\n      - when: { param: p, eq: 1 }\n        effect: deny\n';
    const result = checkSources([{ file: 'p.yaml', text, kind: 'yaml' }]);
    const ir = normalize(result.loaded);
    expect(ir.policies[0]?.source).toEqual({ file: 'p.yaml', line: 2 });
    expect(ir.policies[0]?.tools[0]?.source).toEqual({ file: 'p.yaml', line: 4 });
    expect(ir.policies[0]?.tools[0]?.rules[0]?.source).toEqual({ file: 'p.yaml', line: 6 });
  });

  it('is plain JSON data and deterministic', () => {
    const ir = fixtureIr();
    expect(JSON.parse(JSON.stringify(ir))).toEqual(ir);
    expect(JSON.stringify(fixtureIr())).toBe(JSON.stringify(ir));
  });
});
