/**
 * Hand-written decision cases over test/rego/policies/cases.yaml, each with its full expected
 * decision document: every row of docs/semantics.md's reason table, tenant and global lookup,
 * shadow mode, sanitize, time windows (zones, midnight wrap) and egress wildcards. Messages
 * come from the IR by rule id (normalize owns their wording); everything else is spelled out.
 * Every input has a context.time, so that engines with different clocks agree.
 */
import { join } from 'node:path';
import type { PolicySetIR, ReasonTemplate } from '../../src/compiler/ir.js';
import { emitRego } from '../../src/compiler/rego/emit-rego.js';
import type { Decision, Reason } from '../../src/engine/decision.js';
import { createOpaEngine, type OpaEngine } from '../../src/engine/opa-engine.js';
import { irFromFile, opaPath, ROOT } from './rego-helpers.js';

export const CASES_IR: PolicySetIR = irFromFile(join(ROOT, 'test/rego/policies/cases.yaml'));

type Json = Decision['params'][string];
type Params = Decision['params'];

export interface DecisionCase {
  name: string;
  input: unknown;
  expected: Decision;
}

const messages = new Map<string, string>();
collect(CASES_IR);

function collect(x: unknown): void {
  if (Array.isArray(x)) {
    for (const item of x) collect(item);
  } else if (typeof x === 'object' && x !== null) {
    const t = x as Partial<ReasonTemplate>;
    if (typeof t.rule === 'string' && typeof t.message === 'string') {
      // Two codes share some rule ids (tools, amount) with different messages: key both.
      messages.set(`${t.rule}|${t.message}`, t.message);
      if (!messages.has(t.rule)) messages.set(t.rule, t.message);
    }
    for (const value of Object.values(x)) collect(value);
  }
}

/** A reason; the message is the IR's for that rule id (`hint` picks one of two). */
function r(rule: string, code: Reason['code'], effect: Reason['effect'], hint?: string): Reason {
  let message = messages.get(rule);
  if (hint !== undefined) {
    message = [...messages.keys()]
      .filter((key) => key.startsWith(`${rule}|`) && key.includes(hint))
      .map((key) => key.slice(rule.length + 1))[0];
  }
  if (message === undefined) throw new Error(`no reason ${rule} in the IR`);
  return { code, effect, rule, message };
}

const ACME = { agent: 'pay-agent', tenant: 'acme' };
const GLOBAL = { agent: 'pay-agent' };
const P = 'acme/pay-agent/payments';

function doc(
  decision: Decision['decision'],
  outcome: Decision['outcome'],
  reasons: Reason[],
  params: Params,
  extra: {
    mode?: Decision['mode'];
    policy?: Decision['policy'];
    redactions?: Decision['redactions'];
  } = {},
): Decision {
  const out: Decision = {
    decision,
    outcome,
    allow: decision === 'allow' || decision === 'sanitize',
    mode: extra.mode ?? 'enforce',
    reasons,
    redactions: extra.redactions ?? [],
    params,
  };
  if (extra.policy !== undefined) out.policy = extra.policy;
  return out;
}

/** An acme call that passes every check: Wednesday 07:00 in New York, 21:00 in Tokyo. */
function call(
  over: {
    params?: Params;
    context?: Record<string, Json | undefined>;
    [key: string]: unknown;
  } = {},
) {
  const { params, context, ...rest } = over;
  return {
    agent: { id: 'pay-agent', tenant: 'acme', claims: { team: 'payments' } },
    tool: { name: 'payments', action: 'create' },
    params: params ?? { amount: 50, currency: 'USD' },
    context: { time: '2026-11-18T12:00:00Z', region: 'eu-west-1', ...context },
    ...rest,
  };
}

const invalid = (params: Params = {}) =>
  doc('deny', 'deny', [r('aegis/input', 'invalid_input', 'deny')], params);
const denyAcme = (reason: Reason, params: Params = { amount: 50, currency: 'USD' }) =>
  doc('deny', 'deny', [reason], params, { policy: ACME });

export const CASES: DecisionCase[] = [
  {
    name: 'allow: every check passes',
    input: call(),
    expected: doc('allow', 'allow', [], { amount: 50, currency: 'USD' }, { policy: ACME }),
  },
  // Step 1.
  { name: 'invalid_input: not an object', input: [1, 2], expected: invalid() },
  {
    name: 'invalid_input: agent.id missing',
    input: { agent: {}, tool: { name: 'payments' } },
    expected: invalid(),
  },
  {
    name: 'invalid_input: agent not an object',
    input: { agent: 'pay-agent', tool: { name: 'x' } },
    expected: invalid(),
  },
  {
    name: 'invalid_input: tool.name a number',
    input: call({ tool: { name: 7 } }),
    expected: invalid({ amount: 50, currency: 'USD' }),
  },
  {
    name: 'invalid_input: agent.tenant a number',
    input: call({ agent: { id: 'pay-agent', tenant: 1 } }),
    expected: invalid({ amount: 50, currency: 'USD' }),
  },
  {
    name: 'invalid_input: params an array',
    input: { ...call(), params: [1] },
    expected: invalid(),
  },
  {
    name: 'invalid_input: egress.host a number',
    input: call({ egress: { host: 443 } }),
    expected: invalid({ amount: 50, currency: 'USD' }),
  },
  {
    name: 'invalid_input: context.usage a string',
    input: call({ context: { usage: 'lots' } }),
    expected: invalid({ amount: 50, currency: 'USD' }),
  },
  {
    name: 'invalid_input: a usage counter a string',
    input: call({ context: { usage: { tool_rps: '3' } } }),
    expected: invalid({ amount: 50, currency: 'USD' }),
  },
  {
    name: 'invalid_input: cost_usd null',
    input: call({ context: { cost_usd: null } }),
    expected: invalid({ amount: 50, currency: 'USD' }),
  },
  ...[
    '2026-02-30T00:00:00Z',
    '2026-11-18T12:00:00+24:00',
    '2026-11-18T12:00:00,5Z',
    '2026-11-18t12:00:00Z',
    '1000-01-01T00:00:00Z',
    '2026-11-18T12:00:60Z',
  ].map(
    (time): DecisionCase => ({
      name: `invalid_input: context.time ${time}`,
      input: call({ context: { time } }),
      expected: invalid({ amount: 50, currency: 'USD' }),
    }),
  ),
  // Step 2.
  {
    name: 'no_policy: unknown agent',
    input: { ...call(), agent: { id: 'ghost', tenant: 'acme' } },
    expected: doc('deny', 'deny', [r('aegis/policy', 'no_policy', 'deny')], {
      amount: 50,
      currency: 'USD',
    }),
  },
  ...[{ id: 'solo-agent', tenant: 'other' }, { id: 'solo-agent' }].map(
    (agent): DecisionCase => ({
      name: `no_policy: a tenant policy never applies to another tenant's agent (${agent.tenant ?? 'no tenant'})`,
      input: { agent, tool: { name: 'payments' }, params: { n: 1 } },
      expected: doc('deny', 'deny', [r('aegis/policy', 'no_policy', 'deny')], { n: 1 }),
    }),
  ),
  {
    name: 'lookup: an unknown tenant falls back to the global policy',
    input: { agent: { id: 'quiet-agent', tenant: 'acme' }, tool: { name: 'x' } },
    expected: doc(
      'deny',
      'deny',
      [r('_/quiet-agent/_/tools', 'tool_not_allowed', 'deny', 'tool is')],
      {},
      {
        policy: { agent: 'quiet-agent' },
      },
    ),
  },
  {
    name: 'lookup: the tenant policy of tenant other, not acme',
    input: { ...call(), agent: { id: 'pay-agent', tenant: 'other' }, params: { amount: 1e9 } },
    expected: doc(
      'allow',
      'allow',
      [],
      { amount: 1e9 },
      { policy: { agent: 'pay-agent', tenant: 'other' } },
    ),
  },
  {
    name: 'lookup: context.time absent means now (a policy without time rules)',
    input: {
      agent: { id: 'pay-agent', tenant: 'other' },
      tool: { name: 'payments', action: 'create' },
    },
    expected: doc('allow', 'allow', [], {}, { policy: { agent: 'pay-agent', tenant: 'other' } }),
  },
  // Steps 3 to 5.
  {
    name: 'region_denied: region absent',
    input: call({ context: { region: undefined } }),
    expected: denyAcme(r('acme/pay-agent/_/regions', 'region_denied', 'deny')),
  },
  {
    name: 'region_denied: region not listed (checked before the tool)',
    input: call({ context: { region: 'us-east-1' }, tool: { name: 'ghost' } }),
    expected: denyAcme(r('acme/pay-agent/_/regions', 'region_denied', 'deny')),
  },
  ...['evil.example.com', 'slack.com', 'api.stripe.com:443', 'api.stripe.com.evil.io'].map(
    (host): DecisionCase => ({
      name: `egress_denied: ${host}`,
      input: call({ egress: { host } }),
      expected: denyAcme(r('acme/pay-agent/_/egress', 'egress_denied', 'deny')),
    }),
  ),
  ...['api.stripe.com', 'API.Stripe.COM', 'hooks.slack.com', 'a.b.c.SLACK.com'].map(
    (host): DecisionCase => ({
      name: `egress allowed: ${host}`,
      input: call({ egress: { host } }),
      expected: doc('allow', 'allow', [], { amount: 50, currency: 'USD' }, { policy: ACME }),
    }),
  ),
  {
    name: 'egress_denied: no egress block allows no host',
    input: { agent: { id: 'quiet-agent' }, tool: { name: 'x' }, egress: { host: 'a.example.com' } },
    expected: doc(
      'deny',
      'deny',
      [r('_/quiet-agent/_/egress', 'egress_denied', 'deny')],
      {},
      {
        policy: { agent: 'quiet-agent' },
      },
    ),
  },
  {
    name: 'tool_not_allowed',
    input: call({ tool: { name: 'wire-transfer', action: 'create' } }),
    expected: denyAcme(r('acme/pay-agent/_/tools', 'tool_not_allowed', 'deny', 'tool is')),
  },
  {
    name: 'action_not_allowed: an action no entry lists',
    input: call({ tool: { name: 'payments', action: 'delete' } }),
    expected: denyAcme(r('acme/pay-agent/_/tools', 'action_not_allowed', 'deny', 'action')),
  },
  {
    name: 'action_not_allowed: no action, and no "*" entry',
    input: call({ tool: { name: 'payments' } }),
    expected: denyAcme(r('acme/pay-agent/_/tools', 'action_not_allowed', 'deny', 'action')),
  },
  {
    name: 'a "*" entry takes any action, or none',
    input: call({ tool: { name: 'notify' }, params: { text: 'hi' } }),
    expected: doc('allow', 'allow', [], { text: 'hi' }, { policy: ACME }),
  },
  {
    name: 'the second entry of a tool, by action',
    input: call({
      tool: { name: 'payments', action: 'refund' },
      params: { reason: 'Fraud suspected' },
    }),
    expected: doc(
      'deny',
      'deny',
      [r(`${P}/params/reason/not_matches`, 'param_violation', 'deny')],
      { reason: 'Fraud suspected' },
      { policy: ACME },
    ),
  },
  // Step 6: params.
  {
    name: 'param_missing (and the amount missing too)',
    input: call({ params: {} }),
    expected: doc(
      'deny',
      'deny',
      [
        r(`${P}/conditions/amount`, 'param_missing', 'deny'),
        r(`${P}/params/currency`, 'param_missing', 'deny'),
      ],
      {},
      { policy: ACME },
    ),
  },
  {
    name: 'param_invalid: ordering on a string; type is violated, never invalid',
    input: call({ params: { amount: 50, currency: 'USD', quantity: '5' } }),
    expected: doc(
      'deny',
      'deny',
      [
        r(`${P}/params/quantity/gte`, 'param_invalid', 'deny'),
        r(`${P}/params/quantity/lte`, 'param_invalid', 'deny'),
        r(`${P}/params/quantity/type`, 'param_violation', 'deny'),
      ],
      { amount: 50, currency: 'USD', quantity: '5' },
      { policy: ACME },
    ),
  },
  {
    name: 'param_violation: in, type integer, matches, max_length (code points), contains, suffix',
    input: call({
      params: {
        amount: 50,
        currency: 'GBP',
        quantity: 1.5,
        memo: 'Hello',
        tags: ['a', 'b'],
        ref: 'r-1',
      },
    }),
    expected: doc(
      'deny',
      'deny',
      [
        r(`${P}/params/currency/in`, 'param_violation', 'deny'),
        r(`${P}/params/memo/matches`, 'param_violation', 'deny'),
        r(`${P}/params/quantity/type`, 'param_violation', 'deny'),
        r(`${P}/params/ref/suffix`, 'param_violation', 'deny'),
        r(`${P}/params/tags/contains`, 'param_violation', 'deny'),
      ],
      { amount: 50, currency: 'GBP', quantity: 1.5, memo: 'Hello', tags: ['a', 'b'], ref: 'r-1' },
      { policy: ACME },
    ),
  },
  {
    name: 'params that hold: 1.0 is an integer, contains a substring, 20 code points, prefix and suffix',
    input: call({
      params: {
        amount: 50,
        currency: 'EUR',
        quantity: 100.0,
        memo: 'eeeee eeeee eeeee ee',
        tags: 'a vip b',
        ref: 'r-1-x',
      },
    }),
    expected: doc(
      'allow',
      'allow',
      [],
      {
        amount: 50,
        currency: 'EUR',
        quantity: 100,
        memo: 'eeeee eeeee eeeee ee',
        tags: 'a vip b',
        ref: 'r-1-x',
      },
      { policy: ACME },
    ),
  },
  {
    name: 'param_invalid and param_violation: contains a number in a string; lengths count code points',
    input: call({
      params: { amount: 50, currency: 'USD', tags: 5, memo: 'abcdefghijklmnopqrs😀' },
    }),
    expected: doc(
      'deny',
      'deny',
      [
        r(`${P}/params/memo/matches`, 'param_violation', 'deny'),
        r(`${P}/params/tags/contains`, 'param_invalid', 'deny'),
      ],
      { amount: 50, currency: 'USD', tags: 5, memo: 'abcdefghijklmnopqrs😀' },
      { policy: ACME },
    ),
  },
  // Step 6: amount conditions.
  {
    name: 'amount not a number: param_invalid, no comparison',
    input: call({ params: { amount: '6000', currency: 'USD' } }),
    expected: denyAcme(r(`${P}/conditions/amount`, 'param_invalid', 'deny', 'required'), {
      amount: '6000',
      currency: 'USD',
    }),
  },
  {
    name: 'amount_over_max and amount_needs_approval',
    input: call({ params: { amount: 6000, currency: 'USD' } }),
    expected: doc(
      'deny',
      'deny',
      [
        r(`${P}/conditions/approval_needed_over`, 'amount_needs_approval', 'approval_needed'),
        r(`${P}/conditions/max_amount`, 'amount_over_max', 'deny'),
      ],
      { amount: 6000, currency: 'USD' },
      { policy: ACME },
    ),
  },
  {
    name: 'amount_under_min',
    input: call({ params: { amount: 0.5, currency: 'USD' } }),
    expected: denyAcme(r(`${P}/conditions/min_amount`, 'amount_under_min', 'deny'), {
      amount: 0.5,
      currency: 'USD',
    }),
  },
  {
    name: 'amount_needs_approval alone',
    input: call({ params: { amount: 1000.5, currency: 'USD' } }),
    expected: doc(
      'approval_needed',
      'approval_needed',
      [r(`${P}/conditions/approval_needed_over`, 'amount_needs_approval', 'approval_needed')],
      { amount: 1000.5, currency: 'USD' },
      { policy: ACME },
    ),
  },
  // Step 6: rules and time windows.
  {
    name: 'rule_matched: Saturday in New York (Saturday 23:30 UTC is still Saturday there)',
    input: call({ context: { time: '2026-11-21T23:30:00Z' } }),
    expected: doc(
      'approval_needed',
      'approval_needed',
      [r(`${P}/weekend`, 'rule_matched', 'approval_needed')],
      { amount: 50, currency: 'USD' },
      { policy: ACME },
    ),
  },
  {
    name: 'not the weekend in New York: Monday 05:00 UTC is Monday 00:00 there',
    input: call({ context: { time: '2026-11-23T05:00:00Z' } }),
    expected: doc('allow', 'allow', [], { amount: 50, currency: 'USD' }, { policy: ACME }),
  },
  ...[
    ['2026-11-18T13:00:00Z', '22:00 in Tokyo: start inclusive', true],
    ['2026-11-18T14:59:59Z', '23:59:59 in Tokyo', true],
    ['2026-11-18T15:00:00Z', '00:00 in Tokyo: wrapped past midnight', true],
    ['2026-11-18T20:59:00Z', '05:59 in Tokyo', true],
    ['2026-11-18T21:00:00Z', '06:00 in Tokyo: end exclusive', false],
    ['2026-11-18T12:59:59+00:00', '21:59:59 in Tokyo', false],
    ['2026-11-18T22:30:00+09:00', '22:30 in Tokyo, offset given', true],
  ].map(
    ([time, what, night]): DecisionCase => ({
      name: `time window 22:00-06:00 Asia/Tokyo: ${what}`,
      input: call({ context: { time } }),
      expected: night
        ? denyAcme(r(`${P}/night`, 'rule_matched', 'deny'))
        : doc('allow', 'allow', [], { amount: 50, currency: 'USD' }, { policy: ACME }),
    }),
  ),
  {
    name: 'rule_matched: all of (amount > 500, not team == payments); a missing claim is not equal',
    input: call({
      agent: { id: 'pay-agent', tenant: 'acme' },
      params: { amount: 600, currency: 'USD' },
    }),
    expected: doc(
      'approval_needed',
      'approval_needed',
      [r(`${P}/rules/2`, 'rule_matched', 'approval_needed')],
      { amount: 600, currency: 'USD' },
      { policy: ACME },
    ),
  },
  {
    name: 'rule not matched: the team is payments',
    input: call({ params: { amount: 600, currency: 'USD' } }),
    expected: doc('allow', 'allow', [], { amount: 600, currency: 'USD' }, { policy: ACME }),
  },
  {
    name: 'rule_matched sanitize (any: a field test) redacts its path',
    input: call({
      context: { region: 'eu-central-1' },
      params: { amount: 5, currency: 'USD', memo: 'hello' },
    }),
    expected: doc(
      'sanitize',
      'sanitize',
      [
        r(`${P}/sanitize`, 'redacted', 'sanitize'),
        r(`${P}/scrub-memo`, 'rule_matched', 'sanitize'),
      ],
      { amount: 5, currency: 'USD', memo: '[REDACTED]' },
      { policy: ACME, redactions: [{ path: '/memo', by: 'path' }] },
    ),
  },
  {
    name: 'rule_matched sanitize with nothing to redact: the rule alone',
    input: call({ context: { region: 'eu-central-1' } }),
    expected: doc(
      'sanitize',
      'sanitize',
      [r(`${P}/scrub-memo`, 'rule_matched', 'sanitize')],
      { amount: 50, currency: 'USD' },
      { policy: ACME },
    ),
  },
  // Step 6: limits.
  {
    name: 'rate_limited (on_exceed approval_needed); the counter includes the call',
    input: call({ context: { usage: { tool_rps: 4, agent_rps: 15 } } }),
    expected: doc(
      'approval_needed',
      'approval_needed',
      [r(`${P}/rate_limit`, 'rate_limited', 'approval_needed')],
      { amount: 50, currency: 'USD' },
      { policy: ACME },
    ),
  },
  {
    name: 'budget_exceeded: spend plus cost over the limit',
    input: call({ context: { cost_usd: 0.35, usage: { tool_spend_today_usd: 499.7 } } }),
    expected: doc(
      'approval_needed',
      'approval_needed',
      [r(`${P}/budget`, 'budget_exceeded', 'approval_needed')],
      { amount: 50, currency: 'USD' },
      { policy: ACME },
    ),
  },
  {
    name: 'budget: exactly at the limit is not over it',
    input: call({ context: { cost_usd: 0.1, usage: { tool_spend_today_usd: 499.9 } } }),
    expected: doc('allow', 'allow', [], { amount: 50, currency: 'USD' }, { policy: ACME }),
  },
  {
    name: 'agent_rate_limited and agent_budget_exceeded (on_exceed default deny)',
    input: call({
      context: { cost_usd: 1, usage: { agent_rps: 16, agent_spend_today_usd: 799.5 } },
    }),
    expected: doc(
      'deny',
      'deny',
      [
        r('acme/pay-agent/_/budget', 'agent_budget_exceeded', 'deny'),
        r('acme/pay-agent/_/rate_limit', 'agent_rate_limited', 'deny'),
      ],
      { amount: 50, currency: 'USD' },
      { policy: ACME },
    ),
  },
  // Step 6: sanitize.
  {
    name: 'redacted: a covering path, detectors and a pattern anywhere in params (arrays too)',
    input: call({
      params: {
        amount: 50,
        currency: 'USD',
        customer: { ssn: '123-45-6789', name: 'Jo' },
        notes: ['call 123-45-6789 or mail jo@example.com', 'MRN-12345678', 7],
        'a/b~c': { deep: ['x@y.io'] },
      },
    }),
    expected: doc(
      'sanitize',
      'sanitize',
      [r(`${P}/sanitize`, 'redacted', 'sanitize')],
      {
        amount: 50,
        currency: 'USD',
        customer: '[REDACTED]',
        notes: ['call [REDACTED] or mail [REDACTED]', '[REDACTED]', 7],
        'a/b~c': { deep: ['[REDACTED]'] },
      },
      {
        policy: ACME,
        redactions: [
          { path: '/a~1b~0c/deep/0', by: 'email' },
          { path: '/customer', by: 'path' },
          { path: '/notes/0', by: 'email' },
          { path: '/notes/0', by: 'ssn' },
          { path: '/notes/1', by: 'mrn' },
        ],
      },
    ),
  },
  {
    name: 'redacted with a deny: params still the sanitized copy in enforce mode',
    input: call({ params: { amount: 9000, currency: 'USD', customer: { ssn: '1' } } }),
    expected: doc(
      'deny',
      'deny',
      [
        r(`${P}/conditions/approval_needed_over`, 'amount_needs_approval', 'approval_needed'),
        r(`${P}/conditions/max_amount`, 'amount_over_max', 'deny'),
        r(`${P}/sanitize`, 'redacted', 'sanitize'),
      ],
      { amount: 9000, currency: 'USD', customer: '[REDACTED]' },
      { policy: ACME, redactions: [{ path: '/customer', by: 'path' }] },
    ),
  },
  {
    name: 'sanitize: patterns see the "[REDACTED]" a path left, each the result of the one before; a match counts even when the replacement changes nothing',
    input: call({
      tool: { name: 'echo', action: 'say' },
      params: { secret: 'x', other: 'a [REDACTED] b', plain: 'red' },
    }),
    expected: doc(
      'sanitize',
      'sanitize',
      [r('acme/pay-agent/echo/sanitize', 'redacted', 'sanitize')],
      { secret: '[[REDACTED]ACTED]', other: 'a [[REDACTED]ACTED] b', plain: 'red' },
      {
        policy: ACME,
        redactions: [
          { path: '/other', by: 'red' },
          { path: '/other', by: 'same' },
          { path: '/secret', by: 'path' },
          { path: '/secret', by: 'red' },
          { path: '/secret', by: 'same' },
        ],
      },
    ),
  },
  {
    name: 'sanitize: a pattern that only matches across two strings joined redacts nothing',
    input: call({ tool: { name: 'scan', action: 'check' }, params: { a: 'x', b: 'y' } }),
    expected: doc('allow', 'allow', [], { a: 'x', b: 'y' }, { policy: ACME }),
  },
  {
    name: 'sanitize: the same pattern in one string among several',
    input: call({ tool: { name: 'scan', action: 'check' }, params: { a: 'a', b: ['x-y'] } }),
    expected: doc(
      'sanitize',
      'sanitize',
      [r('acme/pay-agent/scan/sanitize', 'redacted', 'sanitize')],
      { a: 'a', b: ['[REDACTED]'] },
      { policy: ACME, redactions: [{ path: '/b/0', by: 'across' }] },
    ),
  },
  {
    name: 'sanitize: anchored patterns match each string on its own',
    input: call({
      tool: { name: 'anchored', action: 'check' },
      params: { a: 'id-7', b: 'call 123', c: 'id-7 x', d: '12' },
    }),
    expected: doc(
      'sanitize',
      'sanitize',
      [r('acme/pay-agent/anchored/sanitize', 'redacted', 'sanitize')],
      { a: '[REDACTED]', b: 'call [REDACTED]', c: 'id-7 x', d: '12' },
      {
        policy: ACME,
        redactions: [
          { path: '/a', by: 'whole' },
          { path: '/b', by: 'tail' },
        ],
      },
    ),
  },
  {
    name: 'type integer: 1e300 is one (exactly), and it is over lte 100',
    input: call({ params: { amount: 50, currency: 'USD', quantity: 1e300 } }),
    expected: denyAcme(r(`${P}/params/quantity/lte`, 'param_violation', 'deny'), {
      amount: 50,
      currency: 'USD',
      quantity: 1e300,
    }),
  },
  // Shadow mode and the global policy.
  {
    name: 'shadow: a would-block is allowed, params unchanged, redactions still listed',
    input: {
      agent: { id: 'pay-agent' },
      tool: { name: 'payments', action: 'create' },
      params: { amount: 500, to: 'x@y.io' },
      context: { time: '2026-11-18T12:00:00Z' },
    },
    expected: doc(
      'allow',
      'deny',
      [
        r('_/pay-agent/payments/conditions/max_amount', 'amount_over_max', 'deny'),
        r('_/pay-agent/payments/sanitize', 'redacted', 'sanitize'),
      ],
      { amount: 500, to: 'x@y.io' },
      { mode: 'shadow', policy: GLOBAL, redactions: [{ path: '/to', by: 'email' }] },
    ),
  },
  {
    name: 'shadow: a tool denial is a would-block too; an unknown tenant falls back to the global policy',
    input: {
      agent: { id: 'pay-agent', tenant: 'nobody' },
      tool: { name: 'ghost' },
      context: { time: '2026-11-18T12:00:00Z' },
    },
    expected: doc(
      'allow',
      'deny',
      [r('_/pay-agent/_/tools', 'tool_not_allowed', 'deny', 'tool is')],
      {},
      {
        mode: 'shadow',
        policy: GLOBAL,
      },
    ),
  },
];

/** Every case decided by real OPA on the emitted Rego, in one OPA process. */
export async function decideCasesWithOpa(): Promise<{ decisions: Decision[]; engine: OpaEngine }> {
  const emitted = emitRego(CASES_IR);
  const engine = await createOpaEngine({
    opaPath: await opaPath(),
    modules: emitted.modules,
    data: emitted.data,
  });
  return { decisions: await engine.evaluateMany(CASES.map((c) => c.input)), engine };
}
