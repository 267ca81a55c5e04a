import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { callOf, codes, decide, irOf } from './helpers.js';

const ir = irOf(`
agent: a
allowed_tools:
  - name: t
egress: { allow: ["*"] }
`);

const invalid = {
  rule: 'aegis/input',
  code: 'invalid_input',
  effect: 'deny',
  message: 'the decision input is malformed',
};

describe('step 1: malformed input', () => {
  it.each<[string, unknown]>([
    ['not an object', 'hello'],
    ['null', null],
    ['an array', [{ agent: { id: 'a' }, tool: { name: 't' } }]],
    ['agent missing', { tool: { name: 't' } }],
    ['agent not an object', { agent: 'a', tool: { name: 't' } }],
    ['agent.id missing', { agent: {}, tool: { name: 't' } }],
    ['agent.id not a string', { agent: { id: 1 }, tool: { name: 't' } }],
    ['tool missing', { agent: { id: 'a' } }],
    ['tool.name null', { agent: { id: 'a' }, tool: { name: null } }],
    ['agent.tenant not a string', callOf('a', 't', { agent: { tenant: 3 } })],
    ['agent.tenant null (present)', callOf('a', 't', { agent: { tenant: null } })],
    ['tool.action not a string', callOf('a', 't', { tool: { action: ['x'] } })],
    ['params not an object', callOf('a', 't', { params: [1] })],
    ['params null', callOf('a', 't', { params: null })],
    ['egress not an object', callOf('a', 't', { egress: 'api.example.com' })],
    ['egress.host not a string', callOf('a', 't', { egress: { host: 1 } })],
    ['context not an object', callOf('a', 't', { context: 'now' })],
    ['context.region not a string', callOf('a', 't', { context: { region: 1 } })],
    ['context.usage not an object', callOf('a', 't', { context: { usage: 1 } })],
    ['context.cost_usd not a number', callOf('a', 't', { context: { cost_usd: '0.5' } })],
    ['a usage counter not a number', callOf('a', 't', { context: { usage: { tool_rps: '1' } } })],
    [
      'agent_spend_today_usd null',
      callOf('a', 't', { context: { usage: { agent_spend_today_usd: null } } }),
    ],
    ['context.time not a string', callOf('a', 't', { context: { time: 1_700_000_000 } })],
    ['context.time not RFC 3339', callOf('a', 't', { context: { time: '2026-11-21 15:04:05Z' } })],
    ['context.time lower-case t', callOf('a', 't', { context: { time: '2026-11-21t15:04:05Z' } })],
    ['context.time Feb 30', callOf('a', 't', { context: { time: '2026-02-30T15:04:05Z' } })],
    [
      'context.time after int64 ns',
      callOf('a', 't', { context: { time: '2262-04-11T23:47:16.854775808Z' } }),
    ],
    ['a bigint (no JSON form)', callOf('a', 't', { params: { n: 1n } })],
  ])('%s', (_name, input) => {
    const d = decide(ir, input);
    expect(d).toMatchObject({
      decision: 'deny',
      outcome: 'deny',
      allow: false,
      mode: 'enforce',
      redactions: [],
    });
    expect(d.reasons).toEqual([invalid]);
    expect(d.policy).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['the minimum', callOf('a', 't')],
    [
      'every optional member',
      callOf('a', 't', {
        agent: { tenant: 'x', claims: { team: null } },
        tool: { action: 'run' },
        params: { any: [null] },
        egress: { host: 'h' },
        context: {
          time: '2026-11-21T15:04:05.123456789123+05:30',
          region: 'r',
          cost_usd: 0.5,
          usage: { tool_rps: 1, agent_rps: 2, tool_spend_today_usd: 3, agent_spend_today_usd: 4 },
        },
      }),
    ],
    ['unknown members', { ...callOf('a', 't'), trace_id: 'x', recorded: { decision: 'deny' } }],
    [
      'undefined members (absent in JSON)',
      callOf('a', 't', { agent: { tenant: undefined }, params: undefined }),
    ],
    ['egress without host', callOf('a', 't', { egress: {} })],
  ])('accepts %s', (_name, input) => {
    expect(codes(decide(ir, input))).toEqual([]);
  });

  it('reports the input params, or {} when there are none', () => {
    expect(decide(ir, { agent: { id: 1 }, tool: { name: 't' }, params: { a: 1 } }).params).toEqual({
      a: 1,
    });
    expect(decide(ir, { agent: { id: 1 }, tool: { name: 't' }, params: 'x' }).params).toEqual({});
    expect(decide(ir, 42).params).toEqual({});
    expect(decide(ir, callOf('a', 't')).params).toEqual({});
  });

  it('reads unpaired surrogates as U+FFFD, as OPA does after JSON', () => {
    const d = evaluate(
      ir,
      callOf('a', 't', { params: { s: 'x\ud800y', 'k\udc00': 1, ok: '\u{1f600}' } }),
    );
    expect(d.params).toEqual({ s: 'x\ufffdy', 'k\ufffd': 1, ok: '\u{1f600}' });
  });

  it('does not read a member named like an Object.prototype property from the prototype', () => {
    const input = JSON.parse(
      '{"agent":{"id":"a"},"tool":{"name":"t"},"params":{"__proto__":{"x":1}}}',
    );
    const d = decide(ir, input);
    expect(codes(d)).toEqual([]);
    expect(Object.keys(d.params)).toEqual(['__proto__']);
  });
});

describe('step 2: policy lookup', () => {
  const lookup = irOf(`
agent: a
tenant: acme
allowed_tools: [{ name: acme-tool }]
---
agent: a
allowed_tools: [{ name: global-tool }]
---
agent: b
tenant: acme
allowed_tools: [{ name: t }]
`);

  it.each<
    [string, Record<string, unknown>, string, { agent: string; tenant?: string } | undefined]
  >([
    [
      'tenant policy for its tenant',
      { tenant: 'acme' },
      'acme-tool',
      { agent: 'a', tenant: 'acme' },
    ],
    ['global policy for another tenant', { tenant: 'globex' }, 'global-tool', { agent: 'a' }],
    ['global policy without tenant', {}, 'global-tool', { agent: 'a' }],
    [
      'no tenant policy applies to another tenant',
      { tenant: 'globex' },
      'acme-tool',
      { agent: 'a' },
    ],
  ])('%s', (_name, agent, toolName, policy) => {
    const d = decide(lookup, callOf('a', toolName, { agent }));
    expect(d.policy).toEqual(policy);
  });

  it('denies with no_policy when neither a tenant nor a global policy exists', () => {
    for (const input of [
      callOf('b', 't', { agent: { tenant: 'globex' } }),
      callOf('b', 't'),
      callOf('nobody', 't', { agent: { tenant: 'acme' } }),
    ]) {
      const d = decide(lookup, input);
      expect(d.reasons).toEqual([
        {
          code: 'no_policy',
          effect: 'deny',
          rule: 'aegis/policy',
          message: 'no policy for this agent',
        },
      ]);
      expect(d.policy).toBeUndefined();
      expect(d.mode).toBe('enforce');
    }
  });

  it('does not mix up identities that a separator could join', () => {
    const tricky = irOf(
      'agent: "b\\u0000c"\nallowed_tools: []\n---\nagent: c\ntenant: b\nallowed_tools: []',
    );
    expect(decide(tricky, callOf('c', 't', { agent: { tenant: 'b' } })).policy).toEqual({
      agent: 'c',
      tenant: 'b',
    });
    expect(decide(tricky, callOf('b\u0000c', 't')).policy).toEqual({ agent: 'b\u0000c' });
    expect(codes(decide(tricky, callOf('c', 't')))).toEqual(['no_policy']);
  });
});
